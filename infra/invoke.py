"""`make invoke FN=<function> EVENT=<events/...json>`: run one function with a sample event against the running
local stack, as `sam local invoke` would without Docker: the function's log records on stderr, its answer on
stdout.

The stack is found through the state file `make run` writes (.cache/local/stack.json, infra/local/state.py):
its DynamoDB Local, outbox and table, whichever ports it picked. PORT=<port> picks the stack serving that port
when several run. Without a running stack it says so and exits 1.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from infra.lambda_like import Context, load_function
from infra.local import state

NO_STACK = "no local stack is running: start one with `make run` (in another terminal), then try again"


def running_stack(command: str) -> dict[str, Any] | None:
    """The running stack's state (PORT=<port> for a stack on another port), or None, said on stderr."""
    port = os.environ.get("PORT")
    found = state.running(int(port) if port and port.isdigit() else None)
    if found is None:
        print(f"{command}: {NO_STACK}" + (f" (none serves PORT={port})" if port else ""), file=sys.stderr)
    elif found.get("starting"):
        print(f"{command}: the local stack (pid {found['pid']}) is still starting: try again once it says "
              "\"ready\"", file=sys.stderr)
        return None
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make invoke", description=__doc__.splitlines()[0])
    parser.add_argument("function", help="folder under functions/, e.g. lookup")
    parser.add_argument("event", type=Path, help="event file, e.g. events/lookup/districts.json")
    args = parser.parse_args(argv)
    if not (Path("functions") / args.function / "app.py").exists():
        names = sorted(p.parent.name for p in Path("functions").glob("*/app.py"))
        print(f"make invoke: no function functions/{args.function}/app.py (there are: {', '.join(names)})",
              file=sys.stderr)
        return 2
    if not args.event.is_file():
        print(f"make invoke: no event file {args.event}", file=sys.stderr)
        return 2
    stack = running_stack("make invoke")
    if stack is None:
        return 1
    from infra.local.server import environment_of

    os.environ.update(environment_of(args.function, stack))
    event = json.loads(args.event.read_text(encoding="utf-8"))
    with contextlib.redirect_stdout(sys.stderr):  # the function's JSON logs, as sam local invoke shows them
        response = load_function(args.function).handler(event, Context(args.function))
    if isinstance(response, dict) and isinstance(response.get("body"), str):
        try:
            response = dict(response, body=json.loads(response["body"]))
        except ValueError:
            pass
    print(json.dumps(response, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
