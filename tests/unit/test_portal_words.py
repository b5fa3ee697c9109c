"""One name per place (issue 30): the places the ticket and the emails send the patient to are named so on the page,
in the portal's own words (the seed: «История заявлений», «Отменить запись на приём к врачу», «Отменить запись»)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.booking import tickets
from shared.notify import messages

I18N = (Path(__file__).resolve().parents[2] / "web" / "i18n.js").read_text(encoding="utf-8")


def page_text(lang: str, key: str) -> str:
    ru, en = I18N.index("const RU = {"), I18N.index("const EN = {")
    end = I18N.index("// ----------------------------------------------------------------")
    block = I18N[ru:en] if lang == "ru" else I18N[en:end]
    found = re.search(rf"^\s+{key}: \"([^\"]+)\",$", block, re.M)
    assert found, f"web/i18n.js has no {lang} text {key}"
    return found.group(1)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_ticket_names_the_pages_places(lang: str) -> None:
    history, cancel = page_text(lang, "myTitle"), page_text(lang, "cancelTitle")
    assert page_text(lang, "navMy") == history == page_text(lang, "errorActionMy")
    for hint in (tickets.HINT[lang], tickets.HINT_SOON[lang]):
        assert history in hint, (history, hint)
        assert cancel in hint, (cancel, hint)
    assert messages.TEXT[lang]["cancel_link"] == page_text(lang, "cancelThis") == page_text(lang, "cancelDo")


def test_the_seeds_words() -> None:
    assert page_text("ru", "myTitle") == "История заявлений"
    assert page_text("ru", "cancelTitle") == "Отменить запись на приём к врачу"
    assert page_text("ru", "cancelThis") == "Отменить запись"
    assert page_text("ru", "applyTitle") == "Подать заявление"
    assert "Мои записи" not in I18N and "My appointments" not in I18N
