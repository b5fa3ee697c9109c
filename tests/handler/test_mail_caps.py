"""The daily email caps (issue 25, point 3) through the notifier's handler, with stream records as the table
sends them: one mailbox however its address is spelt, one patient however many mailboxes, every kind of email,
the next day, retries, and what the logs say."""
from __future__ import annotations

import copy
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.notify import cap, outbound
from shared.platform import clock, config, dal, keys
from tests.handler.helpers import sent
from tests.support import Context, event_file, load_function

DAY_ONE = 1795500100  # before the sample appointment (26 Nov 2026, 08:40 Moscow)
SAMPLE = dal.from_item(event_file("notifier/ticket_insert.json")["Records"][0]["dynamodb"]["NewImage"]) or {}
PATIENT = "a" * 40
OTHER_PATIENT = "b" * 40


@pytest.fixture
def mail(notifier: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """The notifier's set-up, the clock on a fixed day (tests move it), the settings' defaults."""
    now = {"t": DAY_ONE}
    monkeypatch.setattr(clock, "now", lambda: now["t"])
    for name in ("EMAILS_PER_ADDRESS_PER_DAY", "EMAILS_PER_PATIENT_PER_DAY"):
        monkeypatch.delenv(name, raising=False)
    config.settings.cache_clear()
    yield now
    config.settings.cache_clear()


def limits(monkeypatch: pytest.MonkeyPatch, *, mailbox: int | None = None, patient: int | None = None) -> None:
    if mailbox is not None:
        monkeypatch.setenv("EMAILS_PER_ADDRESS_PER_DAY", str(mailbox))
    if patient is not None:
        monkeypatch.setenv("EMAILS_PER_PATIENT_PER_DAY", str(patient))
    config.settings.cache_clear()


# ---------------------------------------------------------------- stream records
def record(event_name: str, new: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"Keys": dal.to_item({"PK": new["PK"], "SK": new["SK"]}), "NewImage": dal.to_item(new),
                              "SequenceNumber": str(uuid.uuid4().int)[:21], "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        change["OldImage"] = dal.to_item(old)
    return {"eventID": uuid.uuid4().hex, "eventName": event_name, "eventSource": "aws:dynamodb",
            "awsRegion": "eu-north-1", "dynamodb": change,
            "eventSourceARN": "arn:aws:dynamodb:eu-north-1:123456789012:table/zapis-test/stream/x"}


def appointment(address: str, patient: str = PATIENT, **fields: Any) -> dict[str, Any]:
    """A new appointment item (stored, as the booking leaves it) of `patient`, mailed to `address`."""
    appt_id = uuid.uuid4().hex[:24]
    item = dict(copy.deepcopy(SAMPLE), id=appt_id, email=address, PatPK=keys.policy_pk(patient),
                **keys.appointment_key_plain(appt_id), **fields)
    dal.put(item)
    return item


def ticket(address: str, patient: str = PATIENT) -> dict[str, Any]:
    return record("INSERT", appointment(address, patient))


def cancellation(address: str, patient: str = PATIENT) -> dict[str, Any]:
    item = appointment(address, patient, status="cancelled", cancelledAt=DAY_ONE - 60, cancelledBy="patient")
    return record("MODIFY", item, dict(item, status="booked"))


def reminder(address: str, patient: str = PATIENT) -> dict[str, Any]:
    item = appointment(address, patient, remindedStage=1440, remindedAt=DAY_ONE - 60)
    old = {k: v for k, v in item.items() if k not in ("remindedStage", "remindedAt")}
    return record("MODIFY", item, old)


def offer(address: str, patient: str = PATIENT) -> dict[str, Any]:
    entry_id = uuid.uuid4().hex[:24]
    item = {"PK": f"TESTWAIT#{entry_id}", "SK": "#ENTRY", "entity": "waitEntry", "id": entry_id, "status": "offered",
            "email": address, "lang": "ru", "policyHash": patient, "PatPK": keys.policy_pk(patient),
            "offerStart": SAMPLE["start"], "offerEnd": SAMPLE["end"], "offerExpiresAt": DAY_ONE + 1800,
            "offerDoctorName": SAMPLE["doctorName"], "specialty": SAMPLE["specialty"], "offerRoom": SAMPLE["room"],
            "clinicName": SAMPLE["clinicName"]}
    dal.put(item)
    return record("MODIFY", item, dict(item, status="waiting"))


def run(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The notifier's handler over `records`, in batches of ten as the event source mapping hands them."""
    failures: list[dict[str, str]] = []
    for i in range(0, len(records), 10):
        answer = load_function("notifier").handler({"Records": copy.deepcopy(records[i:i + 10])}, Context())
        failures += answer["batchItemFailures"]
    return {"batchItemFailures": failures}


def marked(rec: dict[str, Any], attribute: str = "ticketEmailSentAt") -> bool:
    image = dal.from_item(rec["dynamodb"]["NewImage"]) or {}
    return bool((dal.get(keys.key(image["PK"], image["SK"]), consistent=True) or {}).get(attribute))


def to(*addresses: str) -> list[str]:
    return [m["to"] for m in sent() if m["to"] in addresses]


# ---------------------------------------------------------------- the mailbox
def test_plus_tags_of_one_mailbox_get_at_most_the_daily_cap(mail: dict[str, int]) -> None:
    """Issue 25: 25 book-and-cancel cycles, each with victim+<n>@mail.example, put 50 emails into one mailbox."""
    addresses = [f"victim+{n}@mail.example" for n in range(25)]
    tickets = [ticket(a) for a in addresses]
    assert run(tickets) == {"batchItemFailures": []}
    assert len(sent()) == config.settings().emails_per_address_per_day == 20
    # The refused ones are marked: a replay, a retry or a redrive sends nothing more.
    assert all(marked(r) for r in tickets)
    assert run(tickets) == {"batchItemFailures": []}
    # Other spellings of the mailbox are the same mailbox; another mailbox is not.
    assert run([ticket(" VICTIM+x@Mail.Example "), ticket("Victim@mail.example"), ticket("victim2@mail.example")]) \
        == {"batchItemFailures": []}
    assert [m["to"] for m in sent()][20:] == ["victim2@mail.example"]


def test_gmail_dots_are_one_mailbox_but_other_domains_dots_are_not(mail: dict[str, int],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, mailbox=2)
    gmail = ["j.doe@gmail.com", "jdoe+1@gmail.com", "J.D.O.E@googlemail.com", "jd.oe@gmail.com"]
    other = ["j.doe@mail.example", "jdoe@mail.example", "jd.oe@mail.example"]
    assert run([ticket(a, uuid.uuid4().hex) for a in gmail + other]) == {"batchItemFailures": []}
    assert len(to(*gmail)) == 2
    assert sorted(to(*other)) == sorted(other)


# ---------------------------------------------------------------- the patient
def test_one_patient_with_many_mailboxes_is_capped_and_mailed_again_the_next_day(mail: dict[str, int]) -> None:
    cap_ = config.settings().emails_per_patient_per_day
    assert cap_ == 30
    day_one = [ticket(f"person{n}@mail{n}.example") for n in range(40)]
    assert run(day_one) == {"batchItemFailures": []}
    assert len(sent()) == cap_
    assert all(marked(r) for r in day_one)
    # Another patient is not held back by the first one's count.
    assert run([ticket("neighbour@mail.example", OTHER_PATIENT)]) == {"batchItemFailures": []}
    assert len(sent()) == cap_ + 1

    mail["t"] = DAY_ONE + 86400  # the next day, the same patient
    day_two = [ticket(f"person{n}@mail{n}.example") for n in range(40)]
    assert run(day_two) == {"batchItemFailures": []}
    assert len(sent()) == 2 * cap_ + 1


def test_every_kind_of_email_counts_for_the_patient(mail: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Tickets (a reschedule's too), cancellations (the clinic's for an absence too), reminders and waiting-list
    offers: all come from stream records, all pass the same cap."""
    limits(monkeypatch, patient=4)
    records = [ticket("a@one.example"), cancellation("b@two.example"), reminder("c@three.example"),
               offer("d@four.example")]
    assert run(records) == {"batchItemFailures": []}
    assert sorted(to("a@one.example", "b@two.example", "c@three.example", "d@four.example")) == [
        "a@one.example", "b@two.example", "c@three.example", "d@four.example"]
    late = [offer("e@five.example"), reminder("f@six.example"), cancellation("g@seven.example"),
            ticket("h@eight.example")]
    assert run(late) == {"batchItemFailures": []}
    assert len(sent()) == 4
    attributes = ["offerEmailSentAt", "reminder1440EmailSentAt", "cancelEmailSentAt", "ticketEmailSentAt"]
    assert all(marked(r, a) for r, a in zip(late, attributes, strict=True))


# ---------------------------------------------------------------- the two together
def test_a_mailbox_refusal_does_not_spend_the_patients_budget(mail: dict[str, int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, mailbox=5, patient=8)
    assert run([ticket(f"victim+{n}@mail.example") for n in range(9)]) == {"batchItemFailures": []}
    assert len(sent()) == 5  # the mailbox refused 4, which the patient's count never saw
    assert run([ticket(f"own{n}@mail.example") for n in range(5)]) == {"batchItemFailures": []}
    assert len(sent()) == 8  # 3 left of the patient's 8


def test_a_patient_refusal_does_not_spend_the_mailboxs_budget(mail: dict[str, int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, mailbox=3, patient=2)
    assert run([ticket(f"own{n}@mail.example") for n in range(2)]) == {"batchItemFailures": []}
    assert run([ticket(f"victim+{n}@mail.example") for n in range(4)]) == {"batchItemFailures": []}
    assert len(sent()) == 2  # the patient's cap refused all four
    others = [ticket("victim@mail.example", uuid.uuid4().hex) for _ in range(4)]
    assert run(others) == {"batchItemFailures": []}
    assert len(to("victim@mail.example")) == 3  # the mailbox still had its 3


# ---------------------------------------------------------------- retries
def test_a_retried_email_is_counted_once_and_never_gets_past_the_cap(mail: dict[str, int],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, mailbox=2, patient=2)
    real, calls = outbound.send_raw, {"n": 0}

    def once_down(raw: bytes, address: str) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")
        return real(raw, address)

    monkeypatch.setattr(outbound, "send_raw", once_down)
    first = ticket("victim@mail.example")
    assert run([first])["batchItemFailures"]  # counted, not sent: the stream retries it
    assert run([first]) == {"batchItemFailures": []}  # the retry asks again, is not counted again
    assert run([ticket("victim+2@mail.example")]) == {"batchItemFailures": []}
    assert len(sent()) == 2
    day = clock.local_date(clock.now()).isoformat()
    counters = [dal.get(keys.email_cap_key(cap.mailbox("victim@mail.example"), day), consistent=True),
                dal.get(keys.patient_email_cap_key(PATIENT, day), consistent=True)]
    assert [c and c["sent"] for c in counters] == [2, 2]
    third = ticket("victim+3@mail.example")
    assert run([third]) == {"batchItemFailures": []}
    assert len(sent()) == 2 and marked(third)


def test_a_cap_that_cannot_answer_fails_the_record_and_the_retry_still_asks(mail: dict[str, int],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, mailbox=1)
    assert run([ticket("victim@mail.example")]) == {"batchItemFailures": []}
    real = dal.transact

    def unavailable(items: list[dict[str, Any]]) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "TransactWriteItems")

    monkeypatch.setattr(dal, "transact", unavailable)
    second = ticket("victim+2@mail.example")
    assert run([second])["batchItemFailures"]
    image = dal.from_item(second["dynamodb"]["NewImage"]) or {}
    after = dal.get(keys.appointment_key(image["id"]), consistent=True) or {}
    assert "ticketEmailLease" not in after  # given back: the retry need not wait for it to lapse
    monkeypatch.setattr(dal, "transact", real)
    assert run([second]) == {"batchItemFailures": []}  # the second attempt is capped like the first
    assert len(sent()) == 1 and marked(second)


# ---------------------------------------------------------------- what is stored and logged
def test_no_address_in_the_counters_or_the_logs(mail: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.platform.observability import logger

    buffer = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", buffer)
    limits(monkeypatch, mailbox=1, patient=1)
    records = [ticket("Secret.Victim+1@mail.example"), ticket("secret.victim+2@mail.example"),
               ticket("another.secret@mail.example")]
    assert run(records) == {"batchItemFailures": []}
    assert len(sent()) == 1
    logs = buffer.getvalue()
    assert "daily cap of the mailbox reached" in logs and "daily cap of the patient reached" in logs
    day = clock.local_date(clock.now()).isoformat()
    counter = dal.get(keys.email_cap_key("secret.victim@mail.example", day), consistent=True) or {}
    assert counter["sent"] == 1
    for text in ("secret", "victim", "mail.example", PATIENT):
        assert text not in logs.lower()
        assert text not in counter["PK"].lower()
