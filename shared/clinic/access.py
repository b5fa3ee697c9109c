"""The access journal's reads and the entries staff reads append (issue 28; the items: shared/domain/journal.py).

A staff write puts its entry in its own transaction (shared/clinic/daylist.py, absences.py, schedule.py,
shared/booking/referrals.py, shared/patients/attachment.py). A staff read of personal data (the day list)
appends its entry and one access item per appointment read after the read and before the answer, in
BatchWriteItem requests of 25 (unprocessed items sent again): when that fails the answer is a 503, so no
personal data leaves without its entry. The day list's index (ClinicDay) does not carry the patient's
partition key, so the appointments' `PatPK`/`PatSK` are read with BatchGetItem (100 keys a request, keys and
ids only) to key the access items.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from shared.clinic.staff import Staff
from shared.domain import journal
from shared.platform import clock, dal, keys
from shared.platform.errors import DomainError

BATCH_GET = 100


def _patient_keys(appointment_ids: Sequence[str]) -> list[dict[str, Any]]:
    """id, PatPK, PatSK of each appointment (BatchGetItem, 100 keys a request, side by side)."""
    chunks = [list(appointment_ids[i:i + BATCH_GET]) for i in range(0, len(appointment_ids), BATCH_GET)]
    found = dal.in_parallel(lambda ids: dal.batch_get([keys.appointment_key(a) for a in ids],
                                                      projection="id, PatPK, PatSK"), chunks)
    return [item for part in found for item in part]


def record_read(staff: Staff, clinic_id: str, action: str, appointment_ids: Sequence[str]) -> None:
    """Append the entry of a staff read (and each appointment's access item)."""
    now = clock.now()
    order = {a: n for n, a in enumerate(dict.fromkeys(appointment_ids))}
    touched = sorted(_patient_keys(list(order)) if order else [], key=lambda a: order[a["id"]])
    dal.batch_write(journal.read_items(staff.actor, clinic_id, action, now, touched))


def day_list_read(staff: Staff, clinic_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The day list's answer, once its reading is journalled."""
    record_read(staff, clinic_id, journal.DAYLIST_READ, [i["id"] for i in answer["items"]])
    return answer


def journal_of(staff: Staff, clinic_id: str, day: date) -> dict[str, Any]:
    """A clinic's journal of one local day, oldest first (one Query); the reading is journalled itself
    (journal.read, after the Query: it shows in the next read)."""
    if not keys.valid_clinic_id(clinic_id):
        raise DomainError("not_found")
    found = dal.query_all("PK = :pk", {":pk": journal.journal_pk(clinic_id, day.isoformat())}, consistent=True)
    items = [journal.render_entry(i) for i in found if i.get("entity") == journal.ENTRY]
    record_read(staff, clinic_id, journal.JOURNAL_READ, [])
    return {"items": items}
