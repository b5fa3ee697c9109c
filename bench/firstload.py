"""The "first load" row (issue 30): what a patient's first visit to the page costs, measured in Chromium
(Debian's, through Playwright, as the browser tests drive it) against a local stack of its own: the requests the
page makes until the network is idle, and the bytes they took on the wire (headers and the body as sent,
compressed where the front compresses). Russian and English; targets <= 12 requests and <= 100 KB."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support import local_stack

CHROMIUM = "/usr/bin/chromium"
REQUESTS_TARGET = 12
BYTES_TARGET = 100_000


def _visit(browser: Any, base: str, language: str) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(f"localStorage.setItem('zapis.lang', '{language}')")
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(base + "/", wait_until="networkidle")
    page.locator("main a.card").first.wait_for()
    page.wait_for_load_state("networkidle")
    weight = 0
    for request in finished:
        sizes = request.sizes()
        weight += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    page.close()
    return {"requests": len(finished), "bytes": weight}


def run(log: Callable[[str], None]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="zapis-bench-page-") as folder, \
            local_stack(Path(folder) / "stack.log") as stack, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            out = {lang: _visit(browser, stack.base, lang) for lang in ("ru", "en")}
        finally:
            browser.close()
    for lang, m in out.items():
        log(f"first load ({lang}): {m['requests']} requests, {m['bytes'] / 1000:.1f} KB")
    return {"languages": out, "requests_target": REQUESTS_TARGET, "bytes_target": BYTES_TARGET}


def rows(r: dict[str, Any]) -> list[str]:
    return [f"| first load of the page in Chromium ({lang}): requests, bytes on the wire | {m['requests']}, "
            f"{m['bytes'] / 1000:.1f} KB | ≤ {r['requests_target']}, ≤ {r['bytes_target'] // 1000} KB |"
            for lang, m in r["languages"].items()]


def missed(r: dict[str, Any]) -> list[str]:
    return [f"first load ({lang}): {m['requests']} requests, {m['bytes']} bytes" for lang, m in r["languages"].items()
            if m["requests"] > r["requests_target"] or m["bytes"] > r["bytes_target"]]
