"""The local stack's kept table: one directory per fingerprint, locked, copied back on close, caught up by days."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra import seed
from infra.local import table


@pytest.fixture(autouse=True)
def work_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "shm"
    work.mkdir()
    monkeypatch.setattr(table, "WORK_ROOT", work)
    return work


def test_a_kept_table_survives_close_and_is_locked_while_open(tmp_path: Path, work_root: Path) -> None:
    root = tmp_path / "tables"
    store = table.Store.open("abc", root)
    assert store is not None and store.state() is None and store.work.parent == work_root
    assert table.Store.open("abc", root) is None  # another stack holds it: that one runs in memory
    (store.work / table.DB_FILE).write_bytes(b"booked")
    store.save(date(2026, 12, 15))
    store.close()
    assert not store.work.exists()
    again = table.Store.open("abc", root)
    assert again is not None and again.loaded_through() == date(2026, 12, 15)
    assert (again.work / table.DB_FILE).read_bytes() == b"booked"
    again.close()
    assert table.reset(root) == [] and not (root / "abc").exists()


def test_a_load_cut_short_starts_clean(tmp_path: Path) -> None:
    root = tmp_path / "tables"
    (root / "abc").mkdir(parents=True)
    (root / "abc" / table.DB_FILE).write_bytes(b"half a load")  # no state.json: the load never finished
    store = table.Store.open("abc", root)
    assert store is not None and not (store.work / table.DB_FILE).exists() and store.state() is None
    store.close()


def test_a_busy_table_is_not_reset(tmp_path: Path) -> None:
    root = tmp_path / "tables"
    store = table.Store.open("abc", root)
    assert store is not None
    assert table.reset(root) == [root / "abc"]
    store.close()


def test_the_window_catches_up_with_missing_days_only() -> None:
    today = date(2026, 12, 2)
    assert seed.missing_days(None, today)[0] == today and len(seed.missing_days(None, today)) == 14
    assert seed.missing_days(date(2026, 12, 15), today) == []
    assert seed.missing_days(date(2026, 12, 15), date(2026, 12, 4)) == [date(2026, 12, 16), date(2026, 12, 17)]
    # Stopped for longer than the window: the whole window from today, nothing in the past.
    assert seed.missing_days(date(2026, 11, 1), today) == seed.missing_days(None, today)


def test_the_fingerprint_follows_the_table_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    before = table.fingerprint()
    assert table.fingerprint() == before
    definition = table.template.table_definition()
    monkeypatch.setattr(table.template, "table_definition", lambda: {**definition, "BillingMode": "PROVISIONED"})
    assert table.fingerprint() != before
