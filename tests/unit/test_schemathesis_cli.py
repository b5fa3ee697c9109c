"""`make fuzz` runs schemathesis with `ast.parse` serialised (infra/schemathesis_cli.py, python/cpython#106905)."""
from __future__ import annotations

import ast
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra import schemathesis_cli
from infra.template import ROOT


def test_parse_is_serialised_and_still_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ast, "parse", ast.parse)  # put the original back after the test
    schemathesis_cli.serialise_ast_parse()
    assert ast.parse is schemathesis_cli._serialised_parse
    inside = []
    real = schemathesis_cli._parse

    def watched(*args: object, **kwargs: object) -> ast.AST:
        inside.append(threading.get_ident())
        try:
            assert len(inside) == 1, "two threads inside ast.parse at once"
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside.pop()

    monkeypatch.setattr(schemathesis_cli, "_parse", watched)
    source = (ROOT / "infra/fuzz.py").read_text(encoding="utf-8")
    with ThreadPoolExecutor(4) as pool:
        trees = list(pool.map(lambda _: ast.parse(source), range(16)))
    assert all(isinstance(tree, ast.Module) and tree.body for tree in trees)


def test_fuzz_runs_schemathesis_through_it() -> None:
    assert '"-m", "infra.schemathesis_cli", "run"' in (ROOT / "infra/fuzz.py").read_text(encoding="utf-8")
