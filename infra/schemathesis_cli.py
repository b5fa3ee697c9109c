"""schemathesis' command line (`python -m infra.schemathesis_cli run ...`, as `make fuzz` runs it) with
`ast.parse` serialised.

CPython 3.11 counts the AST constructor's recursion depth in state shared by every thread of the interpreter, so
two threads parsing at once can fail with `SystemError: AST constructor recursion depth mismatch`
(python/cpython#106905). schemathesis runs `--workers 2` threads, and Hypothesis parses a whole source file the
first time it describes a filter's lambda: once both workers did that together, and `make fuzz` reported a runtime
error that was the interpreter's, not the API's. One lock around `ast.parse` (called a handful of times: Hypothesis
caches each file's lambdas) keeps the two workers.
"""
from __future__ import annotations

import ast
import sys
import threading
from typing import Any

_parse = ast.parse
_lock = threading.Lock()


def _serialised_parse(*args: Any, **kwargs: Any) -> Any:
    with _lock:
        return _parse(*args, **kwargs)


def serialise_ast_parse() -> None:
    ast.parse = _serialised_parse  # type: ignore[assignment]


def main() -> int:
    serialise_ast_parse()
    from schemathesis.cli import schemathesis  # lazy: after ast.parse is serialised (the module docstring)

    sys.argv[0] = "schemathesis"
    return int(schemathesis() or 0)


if __name__ == "__main__":
    sys.exit(main())
