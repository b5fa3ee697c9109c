"""docs/openapi.json, generated from the handlers' routes and models (Powertools' OpenAPIMerge merges every
function's resolver into one document). `--write` regenerates it, `--check` fails when it is stale."""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

from infra.template import ROOT, functions

OUT = ROOT / "docs" / "openapi.json"


# Functions whose routes are another API's, documented in README rather than here: the gorzdrav façade
# answers gorzdrav.spb.ru's paths and shapes (issue 19).
UNDOCUMENTED = {"gorzdrav"}


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    merge = OpenAPIMerge(
        title="Zapis k vrachu (Запись на приём к врачу)",
        version="1.0.0",
        description="Booking doctor appointments at public polyclinics. Errors are always "
                    '{"error": {"code", "message"}}; Russian by default, English with Accept-Language: en.',
        servers=[Server(url="http://127.0.0.1:3000", description="local stack (make run)")],
        on_conflict="error",
    )
    for fn in functions().values():
        app = ROOT / "functions" / fn["name"] / "app.py"
        if fn["routes"] and app.exists() and fn["name"] not in UNDOCUMENTED:
            merge.add_file(app, resolver_name="app")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a handler that fails to load must fail the generation
        schema = json.loads(merge.get_openapi_json_schema())
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = generate()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/openapi.json is stale: run `make openapi` and commit it", file=sys.stderr)
            return 1
        print("docs/openapi.json is current")
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(json.loads(text)['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
