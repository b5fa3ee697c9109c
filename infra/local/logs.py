"""`make logs [FN=booking] [LEVEL=WARNING] [FOLLOW=0]`: the local functions' log records and metrics, one line each.

    python -m infra.local.logs [--function FN] [--level LEVEL] [--no-follow] [--json]

Reads `<logs>/<function>.jsonl`, which the running stack's functions write (`make run`: .cache/local/logs/,
see infra/local/state.py and infra/local/console.py), prints what is there and follows it until Ctrl-C or
until the stack stops. Without a running stack it says so and prints the last run's records. A record reads
`time function LEVEL message key=value ...` (Powertools' own fields left out); a metric line (EMF) reads
`time function METRIC Name=value ...`; an exception a handler raised shows its stack trace. `--level` keeps
records at that level and above (metrics count as INFO); `--json` prints the records as they are.
"""
from __future__ import annotations

import argparse
import calendar
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from infra.local import state

LEVELS = {"DEBUG": 10, "INFO": 20, "METRIC": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
# Powertools' and Lambda's fields on every record: what a person does not need on each line.
QUIET = {"level", "location", "message", "timestamp", "service", "cold_start", "function_name",
         "function_memory_size", "function_arn", "function_request_id", "xray_trace_id", "sampling_rate",
         "stackTrace", "errorType"}


def render(function: str, line: str) -> tuple[int, str]:
    """(level number, the line for a person) of one line of a function's log."""
    try:
        record = json.loads(line)
    except ValueError:
        return LEVELS["INFO"], f"{'':8} {function} {line}"
    if not isinstance(record, dict):
        return LEVELS["INFO"], f"{'':8} {function} {line}"
    if "_aws" in record:
        return LEVELS["METRIC"], _metric(function, record)
    level = str(record.get("level", "INFO")).upper()
    fields = " ".join(f"{k}={_value(v)}" for k, v in record.items() if k not in QUIET)
    text = f"{_clock(record.get('timestamp'))} {function} {level} {record.get('message', '')}"
    if record.get("errorType"):
        text += f" {record['errorType']}"
    text += f"  {fields}" if fields else ""
    for frame in record.get("stackTrace") or []:
        text += "\n    " + str(frame).replace("\n", "\n    ")
    return LEVELS.get(level, LEVELS["INFO"]), text


def _metric(function: str, record: dict[str, Any]) -> str:
    aws = record["_aws"]
    names = [m["Name"] for d in aws.get("CloudWatchMetrics", []) for m in d.get("Metrics", [])]
    values = " ".join(f"{n}={_value(record.get(n))}" for n in names)
    at = time.strftime("%H:%M:%S", time.localtime(aws["Timestamp"] / 1000)) if aws.get("Timestamp") else ""
    return f"{at:8} {function} METRIC {values}"


def _value(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _clock(timestamp: Any) -> str:
    """HH:MM:SS of Powertools' "2026-12-07 17:42:39,791+0000" (UTC), in local time."""
    text = str(timestamp or "")
    try:
        t = time.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return f"{text[11:19]:8}"
    return time.strftime("%H:%M:%S", time.localtime(calendar.timegm(t)))


class Follower:
    """Reads the new lines of each function's file (a new run empties the files: read from the start again)."""

    def __init__(self, logs: Path, function: str | None) -> None:
        self.logs = logs
        self.pattern = f"{function}.jsonl" if function else "*.jsonl"
        self.offsets: dict[Path, int] = {}
        self.partial: dict[Path, str] = {}

    def lines(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for path in sorted(self.logs.glob(self.pattern)):
            size = path.stat().st_size
            offset = self.offsets.get(path, 0)
            if size < offset:
                offset, self.partial[path] = 0, ""
            if size == offset:
                continue
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(size - offset)
            self.offsets[path] = offset + len(data)
            *complete, self.partial[path] = (self.partial.get(path, "") + data.decode("utf-8", "replace")).split("\n")
            out.extend((path.stem, line) for line in complete if line.strip())
        return out


def at(line: str) -> float:
    """When a line was written (epoch seconds; 0 when it does not say): to show several files in time order."""
    try:
        record = json.loads(line)
    except ValueError:
        return 0.0
    if not isinstance(record, dict):
        return 0.0
    if isinstance(record.get("_aws"), dict):
        return float(record["_aws"].get("Timestamp") or 0) / 1000
    text = str(record.get("timestamp") or "")
    try:
        seconds = calendar.timegm(time.strptime(text[:19], "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return 0.0
    return seconds + (int(text[20:23]) / 1000 if text[20:23].isdigit() else 0.0)


def show(lines: list[tuple[str, str]], level: int, raw: bool, out: TextIO) -> None:
    for function, line in lines:
        number, text = render(function, line)
        if number >= level:
            out.write((line if raw else text) + "\n")
    out.flush()


def functions() -> list[str]:
    return sorted(p.parent.name for p in (state.ROOT / "functions").glob("*/app.py"))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make logs", description=__doc__.splitlines()[0])
    parser.add_argument("--function", "-f", help="one function's records (a folder under functions/)")
    parser.add_argument("--level", "-l", default="DEBUG", type=str.upper,
                        choices=sorted(LEVELS, key=lambda name: LEVELS[name]),
                        help="this level and above (default: everything)")
    parser.add_argument("--no-follow", action="store_true", help="print what is there and stop")
    parser.add_argument("--json", action="store_true", help="the records as the functions wrote them")
    parser.add_argument("--interval", type=float, default=0.25, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def follow(follower: Follower, args: argparse.Namespace, out: TextIO) -> None:
    """New lines as they come, until Ctrl-C or until the stack stops."""
    try:
        while state.running() is not None:
            show(follower.lines(), LEVELS[args.level], args.json, out)
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return
    show(follower.lines(), LEVELS[args.level], args.json, out)
    print("make logs: the local stack stopped", file=sys.stderr)


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = _arguments(argv)
    if args.function and args.function not in functions():
        print(f"make logs: no function {args.function!r} (there are: {', '.join(functions())})", file=sys.stderr)
        return 2
    running = state.running()
    logs = Path(running["logs"]) if running and running.get("logs") else state.home() / state.LOGS
    follower = Follower(logs, args.function)
    if running is None:
        shown = logs.relative_to(state.ROOT) if logs.is_relative_to(state.ROOT) else logs
        print(f"make logs: no local stack is running (start one with `make run`); the last run's records in {shown}:",
              file=sys.stderr)
    show(sorted(follower.lines(), key=lambda fl: at(fl[1])), LEVELS[args.level], args.json, out)
    if running is not None and not args.no_follow:
        follow(follower, args, out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `make logs | head`
        sys.stderr.close()
        sys.exit(0)
