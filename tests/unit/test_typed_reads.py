"""The DAL's reads are typed as the items they return (shared/platform/items.py): a misspelt or removed
attribute read from an appointment, a doctor, a clinic or a register entry is a mypy error, not a KeyError in
production. mypy checks a small module that reads through shared.platform.dal."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''
from shared.platform import dal

appt = dal.appointment("x")
if appt:
    print(appt["status"], appt["{attribute}"])
doctor = dal.doctor("cl0101-d01")
if doctor:
    print(doctor["specialtyId"])
'''


def _mypy(tmp_path: Path, attribute: str) -> tuple[str, int]:
    module = tmp_path / "reader.py"
    module.write_text(SOURCE.replace("{attribute}", attribute), encoding="utf-8")
    out, _, status = api.run([str(module), "--config-file", str(ROOT / "pyproject.toml"),
                              "--cache-dir", str(ROOT / ".mypy_cache"), "--no-error-summary"])
    return out, status


def test_a_known_attribute_type_checks(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, "slotId")
    assert status == 0, out


def test_a_misspelt_attribute_is_a_mypy_error(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, "slotID")
    assert status == 1
    assert 'TypedDict "Appointment" has no key "slotID"' in out
