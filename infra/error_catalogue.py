"""web/errors.js, generated from shared/platform/errors.py's catalogue: the message of every API error code in
Russian and English, so the page shows the same text the API answers (web/i18n.js imports it; its own `errors`
hold only the page's codes, `network` and `unknown`). `--write` regenerates it, `--check` fails when it is stale.

The file is an ES module, `export const API_ERRORS = {"ru": {code: text}, "en": {code: text}};`, codes in the
catalogue's order; its body between `=` and the last `;` is JSON (`load` reads it back)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from infra.template import ROOT

OUT = ROOT / "web" / "errors.js"
LANGS = ("ru", "en")
HEADER = """\
// Generated from shared/platform/errors.py by `make error-catalogue` (infra/error_catalogue.py): the message of
// every API error code, the same text the API answers. Do not edit: change the catalogue and regenerate;
// `make check-error-catalogue` (part of `make test`) fails while this file is stale.
"""
PREFIX = "export const API_ERRORS = "


def messages() -> dict[str, dict[str, str]]:
    """{"ru": {code: text}, "en": {code: text}} from the catalogue, as shared.platform.errors.message() answers."""
    from shared.platform.errors import CATALOGUE, message

    return {lang: {code: message(code, lang) for code in CATALOGUE} for lang in LANGS}


def generate() -> str:
    return HEADER + PREFIX + json.dumps(messages(), ensure_ascii=False, indent=2) + ";\n"


def load(text: str) -> dict[str, dict[str, str]]:
    """The texts a file of generate()'s shape holds; ValueError when it is not of that shape."""
    start, end = text.find(PREFIX), text.rfind(";")
    if start < 0 or end < start:
        raise ValueError(f"no `{PREFIX.strip()} {{...}};` in it")
    found = json.loads(text[start + len(PREFIX):end])
    if not isinstance(found, dict):
        raise ValueError("API_ERRORS is not an object")
    return found


def _differences(text: str) -> str:
    """Which codes differ between `text` and the catalogue, for the stale-file message."""
    try:
        found = load(text)
    except ValueError as exc:
        return f"it is not the generator's output ({exc})"
    wanted = messages()
    parts = [part for lang in LANGS for part in _language_differences(lang, found.get(lang) or {}, wanted[lang])]
    return "; ".join(parts) or "the texts match, the layout differs"


def _language_differences(lang: str, have: dict[str, str], want: dict[str, str]) -> list[str]:
    kinds = (("missing", [c for c in want if c not in have]),
             ("not in the catalogue", [c for c in have if c not in want]),
             ("other text", [c for c in want if c in have and have[c] != want[c]]))
    return [f"{lang}: {label}: {', '.join(codes)}" for label, codes in kinds if codes]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def check(path: Path | None = None) -> str | None:
    """None when `path` (web/errors.js) holds what generate() writes, else why it does not (one line)."""
    path = path or OUT
    name = _name(path)
    if not path.exists():
        return f"{name} is missing: run `make error-catalogue` and commit it"
    text = path.read_text(encoding="utf-8")
    if text == generate():
        return None
    return (f"{name} is stale ({_differences(text)}): shared/platform/errors.py is its source; "
            "run `make error-catalogue` and commit it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        problem = check()
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{_name(OUT)} is current")
        return 0
    text = generate()
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {_name(OUT)} ({len(messages()['ru'])} codes, {', '.join(LANGS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
