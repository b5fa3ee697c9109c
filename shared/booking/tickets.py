"""The ticket (талон): how a stored appointment is shown on the page, in history and in email."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.booking import ticket_link
from shared.platform import clock
from shared.platform.text import localized

HINT = {
    "ru": ("Отменить запись можно до начала приёма: на портале («Отменить запись на приём к врачу», "
           "номер и серия полиса ОМС) или в личном кабинете («История заявлений»). "
           "Отменяйте запись не позднее чем за сутки до приёма."),
    "en": ("You can cancel until the appointment starts: on the portal (\"Cancel an appointment\", with your "
           "OMS policy number and series) or, signed in, from \"History of applications\". "
           "Please cancel at least a day before."),
}


# The same hint for an appointment less than a day ahead: "a day before" is already past.
HINT_SOON = {
    "ru": ("Отменить запись можно до начала приёма: на портале («Отменить запись на приём к врачу», "
           "номер и серия полиса ОМС) или в личном кабинете («История заявлений»). "
           "Если вы не придёте, отмените запись как можно раньше, чтобы время мог занять другой пациент."),
    "en": ("You can cancel until the appointment starts: on the portal (\"Cancel an appointment\", with your "
           "OMS policy number and series) or, signed in, from \"History of applications\". "
           "If you cannot come, please cancel as soon as you can so that another patient can take the time."),
}


def number(doctor_seq: int, start: int, booking_no: int) -> str:
    """Short and printable: the doctor's number in the clinic and the local time, e.g. 03-0840;
    a slot booked again after a cancellation gets a suffix (03-0840-2), so a number is never reused."""
    local = clock.local_iso(start)
    hhmm = local[11:13] + local[14:16]
    return f"{doctor_seq:02d}-{hhmm}" + (f"-{booking_no}" if booking_no > 1 else "")


def render(appt: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The contract's `appointment` object from a stored appointment item."""
    start = int(appt["start"])
    hint = HINT if start - clock.now() > 86400 else HINT_SOON
    return {
        "id": appt["id"],
        "number": appt["number"],
        "status": appt["status"],
        "start": clock.local_iso(start),
        "end": clock.local_iso(int(appt["end"])),
        "clinic": {"id": appt["clinicId"], "name": localized(appt, "clinicName", lang),
                   "address": localized(appt, "clinicAddress", lang), "phone": appt["clinicPhone"]},
        "doctor": {"id": appt["doctorId"], "name": localized(appt, "doctorName", lang),
                   "specialty": localized(appt, "specialty", lang), "specialtyId": appt["specialtyId"]},
        "room": appt["room"],
        "patient": {"lastName": appt["lastName"], "firstName": appt["firstName"],
                    "middleName": appt.get("middleName")},
        "ticketUrl": ticket_link.ticket_url(appt["id"]),
        "cancellation": {"hint": hint[lang], "url": ticket_link.cancel_url(appt["id"]),
                         "recommendedBefore": clock.local_iso(start - 86400)},
        "createdAt": clock.local_iso(int(appt["createdAt"])),
        "cancelledAt": clock.local_iso(int(appt["cancelledAt"])) if appt.get("cancelledAt") else None,
        "cancelledBy": appt.get("cancelledBy"),
        "cancelReason": appt.get("cancelReason"),
        "rescheduledFrom": appt.get("rescheduledFrom"),
        "rescheduledTo": appt.get("rescheduledTo"),
        "referralNumber": appt.get("referralNumber"),
        # Who booked, when a parent booked for their child (issue 29); absent otherwise.
        **({"bookedBy": dict(appt["bookedBy"])} if appt.get("bookedBy") else {}),
    }
