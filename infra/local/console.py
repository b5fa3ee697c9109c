"""What `make run` shows a person, and where the rest goes.

The console has the stack's progress lines (`[local]`), one access line per request (`[http]`), one line per
background job that did something (`[job]`), and every error in one line that says where to look
(`[error]`, `[stream]`). The functions' own output, Powertools' JSON log records and EMF metric lines, goes to
`<logs>/<function>.jsonl` (`.cache/local/logs/` for `make run`, see infra/local/state.py), which `make logs`
follows. In a function's worker process, FunctionLog takes the place of stdout:

    FunctionLog.install("notifier", path)   # in the worker, before the function is imported
    FunctionLog.current.report = False      # per invocation: show its error records on the console or not
    FunctionLog.current.failed(exc)         # an exception the handler raised: a record with its stack trace

An error record is one at level ERROR or above, or a dead letter (DEAD_LETTERS: the notifier parks an email
that still fails after its retries at level WARNING, as routine as SES outages are; locally it is shown).
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any, ClassVar

from infra.template import ROOT

ERROR_LEVELS = {"ERROR", "CRITICAL"}
DEAD_LETTERS = {"email dead-lettered", "dead-letter failed"}
# Fields that name why a record was written (an exception's type, an error code), in the order they are read.
WHY = ("errorType", "exception", "error", "code", "reason", "kind")


def say(kind: str, text: str) -> None:
    """One console line: `[kind] text`."""
    print(f"[{kind}] {text}", flush=True)


logs_dir: Path | None = None  # this process's stack's logs (set by the stack when it starts)


def where(function: str, logs: Path | None = None) -> str:
    """Where a person reads `function`'s records: `make logs FN=...` for make run's own logs, else the file."""
    logs = logs or logs_dir
    if logs is None:
        return f"make logs FN={function}"
    from infra.local import state  # lazy: state is only needed once a line names a place

    if logs.resolve() == (state.home() / state.LOGS).resolve() and "LOCAL_STATE_DIR" not in os.environ:
        return f"make logs FN={function}"
    path = logs / f"{function}.jsonl"
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def why(record: dict[str, Any]) -> str:
    """`message (reason)` of a log record: what happened and, when the record says, of what kind."""
    reason = next((str(record[k]) for k in WHY if record.get(k)), "")
    message = str(record.get("message") or "error")
    return f"{message} ({reason})" if reason else message


def is_error(record: dict[str, Any]) -> bool:
    return str(record.get("level", "")).upper() in ERROR_LEVELS


class FunctionLog:
    """A function worker's stdout: every line to its .jsonl file; error records also to the console, one line."""

    current: ClassVar[FunctionLog | None] = None

    def __init__(self, function: str, path: Path, console: IO[str]) -> None:
        self.function = function
        self.path = path
        self.file = path.open("a", encoding="utf-8", buffering=1)
        self.console = console
        self.report = True
        self.partial = ""
        self.lock = threading.Lock()
        self.hint = where(function, path.parent)

    @classmethod
    def install(cls, function: str, path: Path) -> FunctionLog:
        log = cls(function, path, sys.__stderr__ or sys.stderr)
        sys.stdout = log  # type: ignore[assignment]  # Powertools' Logger and Metrics print to sys.stdout
        cls.current = log
        return log

    # -- what print() and logging's StreamHandler call
    def write(self, text: str) -> int:
        with self.lock:
            self.file.write(text)
            *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            self._look_at(line)
        return len(text)

    def flush(self) -> None:
        self.file.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"

    def _look_at(self, line: str) -> None:
        """An error record, said on the console when this invocation reports; a dead letter always."""
        if not line.startswith("{"):
            return
        try:
            record = json.loads(line)
        except ValueError:
            return
        if not isinstance(record, dict):
            return
        if record.get("message") in DEAD_LETTERS:
            self._say(f"{why(record)} - resend with make redrive; {self.hint}")
        elif self.report and is_error(record):
            self._say(f"{why(record)} - {self.hint}")

    def _say(self, text: str) -> None:
        self.console.write(f"[error] {self.function}: {text}\n")
        self.console.flush()

    def failed(self, exc: BaseException, message: str = "invocation failed") -> None:
        """The record Lambda's runtime writes for an exception the handler let out: its type and stack trace
        (not its text, which may quote an item)."""
        record = {"level": "ERROR", "message": message, "timestamp": _now(),
                  "function_name": f"zapis-{self.function}", "errorType": type(exc).__name__,
                  "stackTrace": [line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__)]}
        with self.lock:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f",{int(t % 1 * 1000):03d}+0000"


# ---------------------------------------------------------------- background jobs
# Counters that measure how much a run looked at, not what it did.
LOOKED_AT = {"examined", "clinics", "doctors"}


class Jobs:
    """One `[job]` line per run of a background job: its first run, then each run that did something."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def ran(self, job: str, result: Any, what: str = "") -> None:
        counts = _counts(result)
        did = any(v for k, v in counts.items() if k not in LOOKED_AT)
        if job in self.seen and not did:
            return
        self.seen.add(job)
        said = ", ".join(f"{k} {v}" for k, v in counts.items()) or "done"
        say("job", f"{job} ({what}): {said}" if what else f"{job}: {said}")


def _counts(result: Any) -> dict[str, int]:
    """The counters of a job's answer ({"examined": 3, "released": 1, ...})."""
    if not isinstance(result, dict):
        return {}
    return {k: v for k, v in result.items() if isinstance(v, int) and not isinstance(v, bool)}
