"""The browser suite: the local stack (python -m infra.local.server) on free ports, Debian's Chromium driven by
Playwright for Python, axe-core from web-tests/node_modules, screenshots into test-artifacts/browser/.

The page runs under its Content-Security-Policy (issue 30), enforced: the local front sends it
(infra/local/headers.py), and a front that does not fails the suite. A CSP violation on any page fails the test,
as a JavaScript error does.

Skips when Chromium, Playwright or axe-core is missing, except under CI=true where that is a failure.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import LocalStack as Stack
from tests.support import local_stack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "web-tests" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PATIENTS = json.loads((ROOT / "infra" / "demo" / "patients.json").read_text(encoding="utf-8"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    if not AXE.exists():
        return f"{AXE} not found (npm ci --prefix web-tests)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In CI nothing is skipped: the `stack` fixture fails on the missing piece instead.
    reason = _missing()
    if reason is None or _in_ci():
        return
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.skip(reason=f"browser tests: {reason}"))


@pytest.fixture(scope="session")
def _browser_prerequisites() -> None:
    reason = _missing()
    if reason:
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)


# ---------------------------------------------------------------- the local stack
@pytest.fixture(scope="session")
def stack(_browser_prerequisites: None) -> Iterator[Stack]:
    if os.environ.get("BROWSER_STACK_URL"):
        # A stack already running (`make run`), to try one change quickly; CI always starts its own.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield Stack(os.environ["BROWSER_STACK_URL"], 0)
        return
    with local_stack(ARTIFACTS / "stack.log") as started:
        yield started


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser(stack: Stack) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


# Every CSP violation of a page, as a console error the test collects (an init script is not subject to the CSP).
CSP_WATCH = """document.addEventListener('securitypolicyviolation', (e) => console.error(
  `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '-'}`
  + ` at ${e.sourceFile || '-'}:${e.lineNumber}`));"""


@pytest.fixture(scope="session")
def front_sends_csp(stack: Stack) -> None:
    """The stack's front sends the page's CSP itself (infra/local/headers.py): every page runs under it."""
    import urllib.request

    with urllib.request.urlopen(stack.base + "/", timeout=30) as res:
        assert res.headers.get("Content-Security-Policy"), "the local front sends no Content-Security-Policy"


class Shots:
    """Numbered screenshots of one test's steps, saved as artifacts."""

    def __init__(self, page: Any, test_name: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", test_name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, step: str, full_page: bool = True) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def make_page(browser: Any, stack: Stack, request: pytest.FixtureRequest, front_sends_csp: None) -> Iterator[Any]:
    """make_page(viewport) -> (page, shots): a fresh context (no storage) under the page's CSP; JavaScript errors
    and CSP violations fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []
    shots: list[Shots] = []
    folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", request.node.name)
    for old in folder.glob("*.png"):
        old.unlink()

    def make(viewport: dict[str, int] = DESKTOP, **kwargs: Any) -> tuple[Any, Shots]:
        kwargs.setdefault("locale", "ru-RU")
        kwargs.setdefault("timezone_id", "Europe/Moscow")
        context = browser.new_context(viewport=viewport, base_url=stack.base, accept_downloads=True, **kwargs)
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and (
            msg.text.startswith("CSP violation") or "Content Security Policy" in msg.text) else None)
        shot = Shots(page, request.node.name)
        shot.n = max((s.n for s in shots), default=0)  # several pages of one test number their steps on
        shots.append(shot)
        return page, shot

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def patient(policy_number: str) -> dict[str, Any]:
    return next(p for p in PATIENTS if p["policyNumber"] == policy_number)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of the page as it is now, of any impact (minor and moderate ones too): the default
    rules, WCAG 2.0-2.2 A and AA (target-size among them) and best practices. axe is evaluated by the test
    driver, not added as a <script> (the page's CSP allows none but its own files)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return list(found)
