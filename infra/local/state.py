"""Where a running local stack can be found: its state file and its functions' logs.

    claim(info) -> Place      # the stack (make run) says where it runs; removed again by place.release()
    running() -> dict | None  # the running stack's state (make invoke, make logs, make redrive), None if none
    logs_dir() -> Path        # where `make logs` reads: the running stack's, else the last run's

The first stack to start owns `.cache/local/stack.json` and writes its functions' logs to
`.cache/local/logs/<function>.jsonl`; the file holds its pid, ports, endpoints and the values its functions'
environment is made of, and is removed when it stops. A stack started while another owns the file (the
tests' and `make fuzz`'s stacks, a second `make run`) keeps its own in `.cache/local/stacks/<pid>/`, removed
when it stops, and says so. LOCAL_STATE_DIR moves the whole place (the tests' stacks use their own).
A file whose process is gone (a stack killed with SIGKILL) counts as no stack, and the next start replaces it.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.template import ROOT

STATE = "stack.json"
LOGS = "logs"
OTHERS = "stacks"


def home() -> Path:
    return Path(os.environ.get("LOCAL_STATE_DIR") or ROOT / ".cache" / "local")


def _alive(pid: int) -> bool:
    """Is `pid` a local stack still running (not a stranger that reused the number)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"infra.local.server" in cmdline.read_bytes() or pid == os.getpid()
    except OSError:  # no /proc (not Linux): the pid is enough
        return True


def _read(path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and _alive(int(state.get("pid", 0))) else None


def running(port: int | None = None) -> dict[str, Any] | None:
    """The running stack's state: the owner of stack.json, or (with `port`) whichever stack serves that port."""
    found = [s for s in [_read(home() / STATE)] if s]
    if port is not None:
        others = sorted((home() / OTHERS).glob(f"*/{STATE}"))
        found = [s for s in found + [_read(p) for p in others] if s and s.get("port") == port]
    return found[0] if found else None


def logs_dir() -> Path:
    state = running()
    return Path(state["logs"]) if state else home() / LOGS


@dataclass
class Place:
    """Where one stack keeps its state file and its functions' logs."""

    dir: Path
    owner: dict[str, Any] | None  # the stack that owns stack.json when this one is another, else None

    @property
    def file(self) -> Path:
        return self.dir / STATE

    @property
    def logs(self) -> Path:
        return self.dir / LOGS

    @property
    def primary(self) -> bool:
        return self.owner is None

    def write(self, info: dict[str, Any]) -> None:
        temporary = self.file.with_suffix(".tmp")
        temporary.write_text(json.dumps(dict(info, pid=os.getpid(), logs=str(self.logs)), indent=2),
                             encoding="utf-8")
        temporary.replace(self.file)

    def release(self) -> None:
        """Remove the state file (only this stack's own), and the whole place of a stack that was not the first."""
        state = _read(self.file) if self.file.exists() else None
        if state is None or state.get("pid") == os.getpid():
            self.file.unlink(missing_ok=True)
        if not self.primary:
            shutil.rmtree(self.dir, ignore_errors=True)


def _take(file: Path) -> bool:
    """Create `file` naming this process, atomically: False when it exists already."""
    try:
        fd = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"pid": os.getpid(), "starting": True}, out)
    return True


def claim() -> Place:
    """This stack's place: stack.json's owner unless a live stack owns it already. Its logs start empty."""
    root = home()
    root.mkdir(parents=True, exist_ok=True)
    for stale in (root / OTHERS).glob("*"):
        if stale.is_dir() and stale.name.isdigit() and not _alive(int(stale.name)):
            shutil.rmtree(stale, ignore_errors=True)
    owner = None
    for _ in range(2):
        if _take(root / STATE):
            owner = None
            break
        owner = _read(root / STATE)
        if owner is not None:
            break
        (root / STATE).unlink(missing_ok=True)  # a killed stack's: take it over
    place = Place(root, None) if owner is None else Place(root / OTHERS / str(os.getpid()), owner)
    place.logs.mkdir(parents=True, exist_ok=True)
    for old in place.logs.glob("*.jsonl"):
        old.unlink()
    return place
