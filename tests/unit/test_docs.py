"""The docs (issue 31): README is a front page of at most 150 lines whose links lead somewhere; every code block of
README and the site (docs/, mkdocs.yml) that talks to the local stack is a script in docs/ that
tests/browser/test_docs_scripts.py runs against a started stack (the block's title names it and the block is
the script's text), or says in its title that it is not run. `make docs-build` (in `make test`) builds the site
with --strict: a broken link or anchor fails there."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README_MAX_LINES = 150
# A fence: ```lang title="..." ... ```
FENCE = re.compile(r'^```(?P<lang>[\w+-]*)(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$', re.S | re.M)
TITLE = re.compile(r'title="([^"]*)"')
# What makes a block one that talks to the local stack: its address, the walks' $B, the stack's own pages, and
# the make targets that need a running stack (as commands; the comments of code are not read).
TALKS_TO_STACK = re.compile(r"127\.0\.0\.1|localhost|\$\{?B\b|/_local/|^\s*make (invoke|logs|redrive)\b", re.M)
COMMENT = re.compile(r"(^|\s)#.*$", re.M)
# The line of a script after which its text is what the docs show.
CUT = ("set -euo pipefail", "# --8<-- the docs show what follows")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def blocks(page: Path) -> list[tuple[str, str, str]]:
    """(language, title, body) of every fenced block of a page."""
    out = []
    for m in FENCE.finditer(page.read_text(encoding="utf-8")):
        title = TITLE.search(m.group("info"))
        out.append((m.group("lang"), title.group(1) if title else "", m.group("body")))
    return out


def script_body(script: Path) -> str:
    lines = script.read_text(encoding="utf-8").split("\n")
    cut = next(i for i, line in enumerate(lines) if line in CUT)
    return "\n".join(lines[cut + 1:]).strip()


def scripts_shown() -> set[Path]:
    return {ROOT / title for page in pages() for _, title, _ in blocks(page) if title.startswith("docs/")}


def test_readme_is_a_front_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    for needed in ("## Two commands", "make run", "make test", "## Architecture", "## Deploy", "## Benchmarks",
                   "docs/benchmarks.md"):
        assert needed in readme, needed
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target


def test_every_block_that_talks_to_the_local_stack_is_run_by_a_test_or_says_it_is_not() -> None:
    loose = []
    for page in pages():
        for lang, title, body in blocks(page):
            code = COMMENT.sub("", body) if lang in ("bash", "sh", "python") else body
            if not TALKS_TO_STACK.search(code):
                continue
            if title.startswith("docs/"):
                script = ROOT / title
                assert script.is_file(), f"{page.name}: no script {title}"
                assert body.strip() == script_body(script), f"{page.name}: the block differs from {title}"
            elif "not run" not in title:
                loose.append(f"{page.relative_to(ROOT)}: a {lang or 'text'} block: {body.strip()[:80]!r}")
    assert not loose, "blocks that talk to the local stack without a script behind them:\n" + "\n".join(loose)


def test_the_browser_suite_runs_every_script_the_docs_show() -> None:
    from tests.browser.test_docs_scripts import SCRIPTS

    assert scripts_shown() == {ROOT / s for s in SCRIPTS}


def test_every_page_is_in_the_sites_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def listed(nav: object) -> set[str]:
        if isinstance(nav, str):
            return {nav}
        if isinstance(nav, list):
            return set().union(*(listed(n) for n in nav))
        if isinstance(nav, dict):
            return set().union(*(listed(n) for n in nav.values()))
        return set()

    assert listed(config["nav"]) == {p.name for p in DOCS.glob("*.md")}
