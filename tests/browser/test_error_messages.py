"""Every error code of the API has a human message in both languages of the front-end, and it is the API's own:
the page takes the texts from web/errors.js (generated from shared/platform/errors.py, `make error-catalogue`)
and keeps only its own codes ("network", "unknown") in web/i18n.js."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from infra import error_catalogue
from shared.platform.errors import CATALOGUE, message
from tests.browser.conftest import DESKTOP

I18N = (Path(__file__).resolve().parents[2] / "web" / "i18n.js").read_text(encoding="utf-8")
PAGE_CODES = {"network", "unknown"}  # the page's own: no answer at all, a code it does not know
LANGS = ("ru", "en")


def _page_error_blocks() -> list[set[str]]:
    blocks = re.findall(r"errors: \{(.*?)\n  \},", I18N, flags=re.S)
    return [set(re.findall(r"^\s+(\w+):", block, flags=re.M)) for block in blocks]


def test_the_generated_file_has_the_api_message_of_every_code() -> None:
    texts = error_catalogue.load(error_catalogue.OUT.read_text(encoding="utf-8"))
    for lang in LANGS:
        missing = set(CATALOGUE) - set(texts[lang])
        assert not missing, f"web/errors.js has no {lang} message for {sorted(missing)}: run `make error-catalogue`"
        stale = [code for code in CATALOGUE if texts[lang][code] != message(code, lang)]
        assert not stale, f"web/errors.js has old {lang} texts for {stale}: run `make error-catalogue`"


def test_i18n_takes_them_from_there_and_keeps_no_copy() -> None:
    assert 'import { API_ERRORS } from "./errors.js";' in I18N
    blocks = _page_error_blocks()
    assert len(blocks) == 2, "expected the Russian and the English page-only error texts"
    for codes in blocks:
        assert PAGE_CODES <= codes
        copies = codes & set(CATALOGUE)
        assert not copies, f"web/i18n.js has its own text for the API codes {sorted(copies)}: edit errors.py instead"
    assert not re.search(r"Object\.assign\((RU|EN)\.errors", I18N), "web/i18n.js adds error texts of its own"


@pytest.mark.browser
def test_the_page_shows_the_api_text_for_every_code(make_page) -> None:
    page, shot = make_page(DESKTOP)
    served = page.request.get("/errors.js")
    assert served.ok and "javascript" in served.headers["content-type"], served.headers
    # A refusal as the page shows it: the text is the catalogue's, whatever the answer's message says.
    page.route("**/v1/districts", lambda route: route.fulfill(
        status=404, json={"error": {"code": "not_found", "message": "from the server"}}))
    page.goto("/")
    refusal = page.locator('[data-code="not_found"]')
    expect(refusal).to_have_text(message("not_found", "ru"))
    shot("not-found-ru")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.locator('[data-code="not_found"]')).to_have_text(message("not_found", "en"))
    shot("not-found-en")

    # Every code, both languages, through the page's own errorText().
    found = page.evaluate("""async (codes) => {
        const i18n = await import("/i18n.js");
        const shown = {};
        for (const lang of ["ru", "en"]) {
            i18n.setLang(lang);
            shown[lang] = Object.fromEntries(codes.map((code) => [code, i18n.errorText(code)]));
        }
        return { shown, codes: i18n.ERROR_CODES };
    }""", [*CATALOGUE, *sorted(PAGE_CODES), "no_such_code"])
    shown = found["shown"]
    for lang in LANGS:
        wrong = {code: shown[lang][code] for code in CATALOGUE if shown[lang][code] != message(code, lang)}
        assert not wrong, f"the page's {lang} text differs from the API's: {wrong}"
        assert shown[lang]["network"] and shown[lang]["network"] != shown[lang]["unknown"]
        assert shown[lang]["no_such_code"] == shown[lang]["unknown"]
    assert shown["ru"]["unknown"] != shown["en"]["unknown"]
    assert set(found["codes"]) == set(CATALOGUE) | PAGE_CODES
