"""What the email caps count (shared/notify/cap.py): the mailbox an address reaches, the patient an item belongs to,
and the counters' keys (no address in clear)."""
from __future__ import annotations

import pytest

from shared.notify import cap
from shared.platform import keys


@pytest.mark.parametrize(("address", "mailbox"), [
    # case and surrounding whitespace
    ("Victim@Mail.Example", "victim@mail.example"),
    ("  victim@mail.example\t\n", "victim@mail.example"),
    ("STRASSE@mail.example", "strasse@mail.example"),
    ("straße@mail.example", "strasse@mail.example"),  # casefold, not only lower()
    # +tag
    ("victim+1@mail.example", "victim@mail.example"),
    ("victim+a+b@mail.example", "victim@mail.example"),
    ("Victim+Tag@Mail.Example ", "victim@mail.example"),
    ("victim+@mail.example", "victim@mail.example"),
    ("+only@mail.example", "+only@mail.example"),  # all tag: kept rather than emptied
    # Gmail ignores dots (and googlemail.com is Gmail); nobody else's are touched
    ("j.doe@gmail.com", "jdoe@gmail.com"),
    ("J.D.O.E+news@GMail.com", "jdoe@gmail.com"),
    ("j.doe@googlemail.com", "jdoe@gmail.com"),
    ("j.doe@mail.example", "j.doe@mail.example"),
    ("j.doe@yandex.ru", "j.doe@yandex.ru"),
    ("j.doe@gmail.com.example", "j.doe@gmail.com.example"),
    ("j.doe@sub.gmail.com", "j.doe@sub.gmail.com"),
    ("...@gmail.com", "...@gmail.com"),  # nothing but dots: kept rather than emptied
    # odd inputs: counted as they are (after case and whitespace)
    ("", ""),
    ("   ", ""),
    ("no-at-sign", "no-at-sign"),
    ("@mail.example", "@mail.example"),
    ("victim+1@", "victim+1@"),
    ("a@b@Mail.Example", "a@b@mail.example"),  # split at the last @
    ("почта+тег@Пример.РФ", "почта@пример.рф"),
])
def test_mailbox(address: str, mailbox: str) -> None:
    assert cap.mailbox(address) == mailbox


def test_mailbox_is_idempotent() -> None:
    for address in ("J.Doe+1@GoogleMail.com", " Victim+x@Mail.Example ", "odd", "+t@d.example"):
        assert cap.mailbox(cap.mailbox(address)) == cap.mailbox(address)


def test_the_patient_of_an_appointment_and_of_a_waiting_list_entry() -> None:
    assert cap.patient_of({"PatPK": keys.policy_pk("abc123")}) == "abc123"
    assert cap.patient_of({"policyHash": "def456", "PatPK": keys.policy_pk("def456")}) == "def456"
    assert cap.patient_of({"PatPK": "SOMETHING#else"}) is None
    assert cap.patient_of({}) is None


def test_counter_keys_hold_no_address_and_are_kept_apart() -> None:
    mailbox = cap.mailbox("Victim+1@Mail.Example")
    key = keys.email_cap_key(mailbox, "2026-11-26")
    assert key["SK"] == {"S": "2026-11-26"}
    assert "victim" not in key["PK"]["S"] and "mail.example" not in key["PK"]["S"]
    assert key == keys.email_cap_key(cap.mailbox("victim@mail.example"), "2026-11-26")
    assert key != keys.email_cap_key(cap.mailbox("victim2@mail.example"), "2026-11-26")
    patient = keys.patient_email_cap_key("abc123", "2026-11-26")
    assert patient["PK"]["S"] == "EMAILCAP#PATIENT#abc123" and patient["PK"] != key["PK"]


def test_the_mailbox_hash_is_keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyed hash: without the secret, a table dump cannot be matched against a list of addresses."""
    import hashlib

    from shared.platform import config

    digest = keys.email_cap_key("victim@mail.example", "d")["PK"]["S"].rsplit("#", 1)[1]
    assert digest not in hashlib.sha256(b"victim@mail.example").hexdigest()
    monkeypatch.setenv("POLICY_HASH_KEY", "another-key")
    config.settings.cache_clear()
    try:
        assert keys.email_cap_key("victim@mail.example", "d")["PK"]["S"].rsplit("#", 1)[1] != digest
    finally:
        config.settings.cache_clear()
