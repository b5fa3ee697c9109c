"""The page's modules (issue 30): every import names a file and exports that exist; index.html preloads exactly the
modules the first view needs (app.js's static imports, no second wave); the staff pages (registry.js) and the other
views are loaded on demand, never with the first view; no inline script, style or event handler anywhere, so the
page runs under its strict Content-Security-Policy."""
from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"

STATIC_IMPORT = re.compile(r"^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+|\w+)\s+from\s+\"([^\"]+)\";", re.M)
DYNAMIC_IMPORT = re.compile(r"import\(\"([^\"]+)\"\)")
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function|const|let|class)\s+(\w+)", re.M)


def modules() -> dict[str, str]:
    return {p.relative_to(WEB).as_posix(): p.read_text(encoding="utf-8") for p in WEB.rglob("*.js")}


def resolve(importer: str, target: str) -> str:
    return (Path(importer).parent / target).as_posix().replace("views/../", "")


def static_graph(start: str, sources: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [resolve(name, m.group(2)) for m in STATIC_IMPORT.finditer(sources[name])]
    return seen


def test_every_import_names_an_existing_module_and_its_exports() -> None:
    sources = modules()
    exports = {name: set(EXPORT.findall(text)) for name, text in sources.items()}
    for name, text in sources.items():
        for m in STATIC_IMPORT.finditer(text):
            target = resolve(name, m.group(2))
            assert target in sources, f"{name} imports {m.group(2)}, which does not exist"
            wanted = {w.split(" as ")[0].strip() for w in (m.group(1) or "").split(",") if w.strip()}
            assert wanted <= exports[target], f"{name} imports {wanted - exports[target]} that {target} does not export"
        for target in DYNAMIC_IMPORT.findall(text):
            assert resolve(name, target) in sources, f"{name} loads {target}, which does not exist"


def test_the_first_view_is_preloaded_and_nothing_else() -> None:
    sources = modules()
    first = static_graph("app.js", sources)
    html = (WEB / "index.html").read_text(encoding="utf-8")
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    assert preloaded | {"app.js"} == first, "index.html preloads exactly app.js's static imports"
    assert '<script type="module" src="app.js"></script>' in html
    assert "registry.js" not in first and "oidc.js" not in first, "staff pages and OIDC are loaded on demand"
    assert len(first) <= 8, f"the first view needs {len(first)} modules: keep the first load within 12 requests"
    dynamic = {resolve("app.js", t) for t in DYNAMIC_IMPORT.findall(sources["app.js"])}
    assert "registry.js" in dynamic and "views/book.js" in dynamic


def test_no_inline_script_style_or_handler() -> None:
    html = (WEB / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline <script> needs 'unsafe-inline'"
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), "inline style or handler in index.html"
    for name, text in modules().items():
        assert not re.search(r"[\"']style[\"']\s*:|setAttribute\(\s*[\"']style|\.style\.cssText|cssText", text), name
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"'`]", text), name
