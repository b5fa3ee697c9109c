"""The local stack's table: kept between runs of `make run`, loaded once, caught up each start.

    store = Store.open()          # .cache/dynamodb-local/tables/<fingerprint>/, locked for this process
    ready = prepare(ddb_client, table, store, progress_factory)   # load or catch up; returns what was done

DynamoDB Local keeps its data in `-dbPath` (one SQLite file); it works on a copy in /dev/shm (tmpfs) that is
copied back when the stack stops (Ctrl-C), so bookings survive a restart. The directory is named by a fingerprint of the
table definition in template.yaml, of the demo data (infra/demo/) and of the engine's version: a changed
schema or demo starts from a fresh directory by itself. `state.json` in it records that the load finished
and the last day of slots written; a directory without it (a load cut short) is wiped and loaded again.
The first start loads the catalogue and the first FOREGROUND_DAYS days of slots, then answers while the rest of
the window loads in the background, a day at a time. On each start the booking window catches up: only the
days missing from it are added (a day cut short is finished with conditional puts), so what was booked stays.
A directory locked by another running stack (flock) is not shared: that stack runs in memory.
`make reset` (python -m infra.local.table reset) deletes the directories nobody is using.

The first load creates the table without its stream and global secondary indexes' stream cost: the stream
is switched on (UpdateTable) once the demo is in, so the notifier does not read ~48,000 slot records
(DynamoDB Local writes about three times faster without a stream).
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from infra import ddb_local, template

TABLES_DIR = Path(os.environ.get("LOCAL_TABLES_DIR") or ddb_local.CACHE_DIR / "tables")
STATE = "state.json"
LOCK = ".lock"
STALE_DAYS = 14  # unused directories older than this are removed on start


def fingerprint() -> str:
    """Of the table definition, the demo data and the engine version (sha256, first 16 hex digits)."""
    from infra.demo import data
    from infra.seed import reference_items

    h = hashlib.sha256()
    h.update(json.dumps(template.table_definition(), sort_keys=True, default=str).encode())
    h.update(ddb_local.NPM_VERSION.encode())
    h.update(json.dumps(reference_items(), sort_keys=True, default=str).encode())
    # The slots' shape: every doctor's hours, and one doctor's slots on a fixed week.
    doctors = [d for c in data.clinics() for d in data.doctors(c)]
    h.update(json.dumps(doctors, sort_keys=True, default=str).encode())
    h.update(json.dumps(data.slot_items(doctors[0], date(2024, 1, 1), 7), sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


WORK_ROOT = Path("/dev/shm")  # tmpfs: DynamoDB Local's SQLite writes there are not fsynced to disk
DB_FILE = "shared-local-instance.db"


def _empty(path: Path) -> None:
    """Everything in the table's directory but its lock file removed."""
    for child in path.iterdir():
        if child.name != LOCK:
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def _working_copy(path: Path) -> Path:
    """Where DynamoDB Local works: a copy of the table in WORK_ROOT (tmpfs) when it is there, else `path` itself."""
    if not (WORK_ROOT.is_dir() and os.access(WORK_ROOT, os.W_OK)):
        return path
    _remove_orphans()
    work = Path(tempfile.mkdtemp(prefix=f"zapis-ddb-{path.name}-{os.getpid()}-", dir=WORK_ROOT))
    for name in (DB_FILE, STATE):
        if (path / name).exists():
            shutil.copy2(path / name, work / name)
    return work


@dataclass
class Store:
    """`path` keeps the table between runs (under .cache); DynamoDB Local works on a copy in `work` (tmpfs,
    about 2.5 times faster to load than on disk), copied back by close() once the engine has stopped."""

    path: Path
    lock_file: IO[str]
    work: Path

    @classmethod
    def open(cls, key: str | None = None, root: Path = TABLES_DIR) -> Store | None:
        """The directory for this fingerprint, locked; None when another running stack holds it."""
        path = root / (key or fingerprint())
        path.mkdir(parents=True, exist_ok=True)
        lock_file = (path / LOCK).open("a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return None
        if _read_state(path) is None:  # a load cut short, or new: start clean
            _empty(path)
        work = _working_copy(path)
        _remove_stale(root, keep=path)
        return cls(path, lock_file, work)

    def state(self) -> dict[str, Any] | None:
        return _read_state(self.work)

    def loaded_through(self) -> date | None:
        state = self.state()
        return date.fromisoformat(state["loadedThrough"]) if state else None

    def writing(self) -> date | None:
        """The day whose slots were being written when the stack stopped, if any."""
        state = self.state()
        return date.fromisoformat(state["writing"]) if state and state.get("writing") else None

    def save(self, loaded_through: date, writing: date | None = None) -> None:
        state = {"loadedThrough": loaded_through.isoformat(), "writing": writing.isoformat() if writing else None}
        tmp = self.work / (STATE + ".tmp")
        tmp.write_text(json.dumps(state) + "\n", encoding="utf-8")
        tmp.replace(self.work / STATE)

    def close(self) -> None:
        """Keep the working copy (call once DynamoDB Local has stopped) and release the lock."""
        try:
            if self.work != self.path and (self.work / DB_FILE).exists() and self.state() is not None:
                # Without state.json the directory counts as unfinished: it goes first, comes back last.
                (self.path / STATE).unlink(missing_ok=True)
                for name in (DB_FILE, STATE):
                    shutil.copy2(self.work / name, self.path / (name + ".tmp"))
                    (self.path / (name + ".tmp")).replace(self.path / name)
        finally:
            if self.work != self.path:
                shutil.rmtree(self.work, ignore_errors=True)
            self.lock_file.close()  # releases the lock


def _read_state(folder: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("loadedThrough") else None


def _remove_orphans() -> None:
    """Working copies of stacks that died without closing their store."""
    for child in WORK_ROOT.glob("zapis-ddb-*-*-*"):
        try:
            os.kill(int(child.name.split("-")[3]), 0)
        except (ValueError, IndexError):
            continue
        except ProcessLookupError:
            shutil.rmtree(child, ignore_errors=True)
        except PermissionError:
            pass


def _in_use(path: Path) -> bool:
    try:
        with (path / LOCK).open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def _remove_stale(root: Path, keep: Path) -> None:
    cutoff = time.time() - STALE_DAYS * 86400
    for child in root.iterdir():
        if child != keep and child.is_dir() and child.stat().st_mtime < cutoff and not _in_use(child):
            shutil.rmtree(child, ignore_errors=True)


def reset(root: Path = TABLES_DIR) -> list[Path]:
    """Delete every kept table that no running stack uses; returns those still in use."""
    busy = []
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        if child.is_dir():
            if _in_use(child):
                busy.append(child)
            else:
                shutil.rmtree(child, ignore_errors=True)
    return busy


# ---------------------------------------------------------------- loading
ProgressFactory = Callable[[str, int], Callable[[int], None]]


def _quiet(_label: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


def create_for_load(client: Any, table: str) -> None:
    """The template's table without its stream (switched on after the load, see enable_stream)."""
    definition = template.table_definition()
    definition.pop("StreamSpecification", None)
    client.create_table(TableName=table, **definition)
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def enable_stream(client: Any, table: str) -> None:
    spec = template.table_definition().get("StreamSpecification")
    if spec:
        client.update_table(TableName=table, StreamSpecification=spec)


def table_exists(client: Any, table: str) -> bool:
    return table in client.list_tables().get("TableNames", [])


FOREGROUND_DAYS = 2  # days of slots loaded before the stack answers; the rest of the window follows
BACKGROUND_WRITERS = 2


def prepare(client: Any, table: str, store: Store | None, today: date,
            progress: ProgressFactory = _quiet, foreground_days: int = FOREGROUND_DAYS) -> tuple[str, int, list[date]]:
    """Load the demo into a new table (the catalogue and the first days of slots), or add the days a kept
    one misses. Returns ("loaded" | "caught up" | "kept", items written, days still to load: see load_days)."""
    from infra import seed

    if store is not None and store.state() is not None and table_exists(client, table):
        days = seed.missing_days(store.loaded_through(), today)
        return ("caught up" if days else "kept"), 0, days
    create_for_load(client, table)
    days = seed.missing_days(None, today)
    first, rest = days[:foreground_days], days[foreground_days:]
    items = seed.reference_items() + [i for d in first for i in seed.slot_items(d, 1)]
    written = seed.write(items, table, progress=progress("loading the demo data", len(items)))
    enable_stream(client, table)
    if store is not None:
        store.save(first[-1])
    return "loaded", written, rest


def load_days(table: str, store: Store | None, days: list[date], progress: ProgressFactory = _quiet,
              stop: Callable[[], bool] = lambda: False) -> int:
    """Write the slots of `days`, in order, recording each finished day in the store. A day whose load was
    cut short (the stack stopped) is finished with conditional puts, so a slot booked meanwhile stays booked."""
    from infra import seed

    written = 0
    items = {d: seed.slot_items(d, 1) for d in days}
    advance = progress(f"adding {len(days)} day(s) of slots", sum(len(v) for v in items.values()))
    for day in days:
        if stop():
            break
        interrupted = store is not None and store.writing() == day
        if store is not None:
            store.save(store.loaded_through() or day, writing=day)
        # Two writers: the stack answers meanwhile, and DynamoDB Local serves both.
        if interrupted:
            written += seed.write_missing(items[day], table, workers=BACKGROUND_WRITERS, progress=advance)
        else:
            written += seed.write(items[day], table, workers=BACKGROUND_WRITERS, progress=advance)
        if store is not None:
            store.save(day)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.table", description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["reset", "fingerprint"])
    args = parser.parse_args(argv)
    if args.command == "fingerprint":
        print(fingerprint())
        return 0
    busy = reset()
    for path in busy:
        print(f"reset: {path} is in use by a running stack (stop it first)", file=sys.stderr)
    print("reset: the next `make run` loads a clean demo" if not busy else "reset: done for the unused tables")
    return 1 if busy else 0


if __name__ == "__main__":
    sys.exit(main())
