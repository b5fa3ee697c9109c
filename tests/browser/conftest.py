"""The browser suite: the local stack (python -m infra.local.server) on free ports, Debian's Chromium driven by
Playwright for Python, axe-core from web-tests/node_modules, screenshots into test-artifacts/browser/.

Skips when Chromium, Playwright or axe-core is missing, except under CI=true where that is a failure.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """One API call from "another patient": the page never sees it."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None


@pytest.fixture(scope="session")
def stack(_browser_prerequisites: None) -> Iterator[Stack]:
    if os.environ.get("BROWSER_STACK_URL"):
        # A stack already running (`make run`), to try one change quickly; CI always starts its own.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield Stack(os.environ["BROWSER_STACK_URL"])
        return
    port, ddb_port = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), DYNAMODB_PORT=str(ddb_port), LOCAL_ACCESS_LOG="0", LOCAL_WORKERS="2")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "stack.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "infra.local.server"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the local stack exited with {proc.returncode}; see {ARTIFACTS / 'stack.log'}",
                            pytrace=False)
            try:
                with urllib.request.urlopen(f"{base}/v1/districts", timeout=5) as res:
                    if res.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("the local stack did not answer /v1/districts within 300 s", pytrace=False)
            time.sleep(1)
        yield Stack(base)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser(stack: Stack) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


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
def make_page(browser: Any, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Any]:
    """make_page(viewport) -> (page, shots): a fresh context (no storage), JS errors fail the test."""
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
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        shot = Shots(page, request.node.name)
        shot.n = max((s.n for s in shots), default=0)  # several pages of one test number their steps on
        shots.append(shot)
        return page, shot

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def patient(policy_number: str) -> dict[str, Any]:
    return next(p for p in PATIENTS if p["policyNumber"] == policy_number)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of the page as it is now, of any impact (minor and moderate ones too)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return list(found)
