"""Issue 25 against DynamoDB Local: the daily email caps (shared/notify/cap.py) never let more emails through
than a cap however many workers ask at once, and an email asked about again (a retry) is counted once.

Threads call `cap.allow` directly, as the notifier does between claim and send. A transaction that keeps
conflicting ends in DomainError `unavailable` (the notifier's record fails and is retried): the thread asks again.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.notify import cap
from shared.platform import clock, config, dal, keys
from shared.platform.errors import DomainError

pytestmark = pytest.mark.integration

THREADS = 16


def ask(address: str, patient: str, email_id: str) -> bool:
    while True:
        try:
            return cap.allow(address, patient=patient, email_id=email_id)
        except DomainError as err:
            assert err.code == "unavailable"


@pytest.fixture
def caps(ddb_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAILS_PER_ADDRESS_PER_DAY", "20")
    monkeypatch.setenv("EMAILS_PER_PATIENT_PER_DAY", "30")
    config.settings.cache_clear()
    monkeypatch.setattr(cap, "metrics", lambda: type("M", (), {"add_metric": lambda *a, **k: None})())


def counter(key: dict[str, dict[str, str]]) -> dict[str, Any]:
    return dal.get(key, consistent=True) or {}


def test_one_mailbox_racing_under_many_tags(caps: None) -> None:
    jobs = [(f"victim+{n}@mail.example", f"patient{n}", f"appt{n}/ticket") for n in range(60)]
    with ThreadPoolExecutor(THREADS) as pool:
        allowed = list(pool.map(lambda job: ask(*job), jobs))
    assert sum(allowed) == 20
    day = clock.local_date(clock.now()).isoformat()
    mailbox = counter(keys.email_cap_key("victim@mail.example", day))
    assert mailbox["sent"] == 20 and len(mailbox["emails"]) == 20
    # Each refused patient counted nothing; each allowed one exactly one.
    sent = [counter(keys.patient_email_cap_key(f"patient{n}", day)).get("sent", 0) for n in range(60)]
    assert sent == [1 if ok else 0 for ok in allowed]


def test_one_patient_racing_over_many_mailboxes_with_retries(caps: None) -> None:
    jobs = [(f"person{n}@mail{n}.example", "abuser", f"appt{n}/ticket") for n in range(50)]
    with ThreadPoolExecutor(THREADS) as pool:
        allowed = list(pool.map(lambda job: ask(*job), jobs + jobs))  # every email asked about twice
    first, again = allowed[:50], allowed[50:]
    assert sum(first) == 30
    day = clock.local_date(clock.now()).isoformat()
    patient = counter(keys.patient_email_cap_key("abuser", day))
    assert patient["sent"] == 30
    assert sorted(patient["emails"]) == sorted(f"appt{n}/ticket" for n in range(50) if first[n])
    # Asked again, every email gets the same answer: let through (not counted twice) or refused.
    assert again == first
