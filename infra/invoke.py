"""`make invoke FN=<function> EVENT=<events/...json>`: run one function with a sample event against the
local stack (`make run` must be up), as `sam local invoke` would without Docker; print the response."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from infra.lambda_like import Context, load_function
from infra.local.server import TABLE, Stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("function", help="folder under functions/, e.g. lookup")
    parser.add_argument("event", type=Path, help="event file, e.g. events/lookup/districts.json")
    args = parser.parse_args()
    if not (Path("functions") / args.function / "app.py").exists():
        print(f"no function functions/{args.function}/app.py", file=sys.stderr)
        return 2
    stack = Stack()
    env = stack.env()
    env["TABLE_NAME"] = os.environ.get("TABLE_NAME", TABLE)
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or k == "TABLE_NAME"})
    event = json.loads(args.event.read_text(encoding="utf-8"))
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
