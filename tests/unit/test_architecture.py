"""What import-linter's contracts (pyproject.toml, `make lint`) do not check: no circle of modules in shared/,
and no import inside a function there unless its line says why (`# lazy: <reason>`, cold start or the like).

A circle is what kept the old layout tall (cancellation -> referrals -> schedule -> cancellation, tickets <->
ticket_link): each module of one waited for the other, and imports moved into functions to break the loop."""
from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("shared", cache_dir=None)
    return {m: {d for d in graph.find_modules_directly_imported_by(m)} for m in graph.modules}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative enough for our size)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_finder_sees_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_circle_of_modules_in_shared() -> None:
    # A package's __init__ importing its own modules is not a circle of ours: only module -> module edges count.
    edges = {m: {d for d in ds if not ROOT.joinpath(*d.split("."), "__init__.py").exists()}
             for m, ds in _graph().items()}
    assert circles(edges) == []


def function_imports(source: str) -> list[tuple[int, str]]:
    """(line, text) of every import inside a function whose line carries no `# lazy:` reason."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and "# lazy:" not in lines[inner.lineno - 1]:
                    out.append((inner.lineno, lines[inner.lineno - 1].strip()))
    return out


def test_the_finder_sees_an_import_inside_a_function() -> None:
    assert function_imports("def f():\n    import json\n") == [(2, "import json")]
    assert function_imports("def f():\n    import json  # lazy: only the CLI needs it\n") == []


def test_no_import_inside_a_function_without_a_reason() -> None:
    found = {str(p.relative_to(ROOT)): hits for p in sorted(ROOT.joinpath("shared").rglob("*.py"))
             if (hits := function_imports(p.read_text(encoding="utf-8")))}
    assert found == {}
