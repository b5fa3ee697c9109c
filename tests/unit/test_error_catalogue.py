"""web/errors.js is generated from shared/platform/errors.py; a stale committed copy fails here."""
from __future__ import annotations

from pathlib import Path

import pytest

from infra import error_catalogue
from shared.platform.errors import CATALOGUE, message


def test_committed_error_catalogue_is_current() -> None:
    assert error_catalogue.OUT.read_text(encoding="utf-8") == error_catalogue.generate(), (
        "run `make error-catalogue` and commit web/errors.js")
    assert error_catalogue.check() is None


def test_it_holds_the_api_text_of_every_code_in_both_languages() -> None:
    texts = error_catalogue.load(error_catalogue.OUT.read_text(encoding="utf-8"))
    assert set(texts) == {"ru", "en"}
    for lang, by_code in texts.items():
        assert list(by_code) == list(CATALOGUE)
        assert all(text == message(code, lang) and text.strip() for code, text in by_code.items())


def _copy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "errors.js"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_fails_for_a_changed_file(tmp_path: Path) -> None:
    current = error_catalogue.generate()
    ru_text = message("slot_unavailable", "ru")
    edited = _copy(tmp_path, current.replace(ru_text, "Занято."))
    problem = error_catalogue.check(edited)
    assert problem and "stale" in problem and "make error-catalogue" in problem
    assert "ru: other text: slot_unavailable" in problem

    dropped = _copy(tmp_path, current.replace(f'    "slot_unavailable": "{ru_text}",\n', "", 1))
    assert "ru: missing: slot_unavailable" in (error_catalogue.check(dropped) or "")

    not_generated = _copy(tmp_path, "export default {};\n")
    assert "not the generator's output" in (error_catalogue.check(not_generated) or "")

    assert "missing" in (error_catalogue.check(tmp_path / "absent.js") or "")
    assert error_catalogue.check(_copy(tmp_path, current)) is None


def test_check_command_fails_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    stale = _copy(tmp_path, error_catalogue.generate().replace(message("not_found", "en"), "Gone."))
    monkeypatch.setattr(error_catalogue, "OUT", stale)
    assert error_catalogue.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "is stale" in err and "en: other text: not_found" in err and "make error-catalogue" in err

    assert error_catalogue.main(["--write"]) == 0
    assert stale.read_text(encoding="utf-8") == error_catalogue.generate()
    assert error_catalogue.main(["--check"]) == 0
