"""The ticket and cancellation emails: MIME (plain text + simple accessible HTML) and an iCalendar file.

    build(appt, kind, sender=..., reply_to=...) -> EmailMessage
        multipart/mixed
          multipart/alternative: text/plain, text/html
          text/calendar; method=REQUEST (ticket) | CANCEL (cancellation), attached as .ics

Everything shown comes from `shared.booking.tickets.render`, the same rendering the page uses, so the email, the
.ics and the page agree on the clinic's time. The .ics carries DTSTART/DTEND with TZID and a VTIMEZONE for
the clinic's zone; UID is the appointment id, SEQUENCE 0 for the ticket and 1 for the cancellation, so a
calendar that imported the ticket removes the event when the cancellation arrives. A rescheduled appointment
keeps the first ticket's UID (`calendarUid`) and counts from a higher base (`calendarSequence`, one more per
move), so its ticket moves the event and its cancellation (base + 1) removes it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from shared.booking import ticket_link, tickets
from shared.platform import clock
from shared.platform.language import normalize
from shared.platform.text import localized

TICKET, CANCELLATION, REMINDER, OFFER = "ticket", "cancellation", "reminder", "offer"
KINDS = (TICKET, CANCELLATION, REMINDER, OFFER)
# A reminder repeats the ticket's calendar entry (same UID and SEQUENCE): a calendar that has it changes nothing.
SEQUENCE = {TICKET: 0, CANCELLATION: 1, REMINDER: 0}
METHOD = {TICKET: "REQUEST", CANCELLATION: "CANCEL", REMINDER: "REQUEST"}

_MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")
_WEEKDAYS_RU = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "from_name": "Запись к врачу",
        "ticket_subject": "Талон на приём к врачу № {number}: {specialty}, {when}",
        "cancel_subject": "Запись на приём отменена: талон № {number}, {when}",
        "ticket_title": "Талон на приём к врачу",
        "moved_subject": "Запись перенесена: талон № {number}, {specialty}, {when}",
        "reminder_subject": "Напоминание: приём {when}, {specialty}, талон № {number}",
        "reminder_title": "Напоминание о приёме к врачу",
        "reschedule_link": "Перенести запись",
        "reminders_off_link": "Больше не напоминать об этой записи",
        "moved_title": "Запись перенесена на новое время",
        "cancel_title": "Запись на приём отменена",
        "number": "Номер талона",
        "patient": "Пациент",
        "doctor": "Врач",
        "specialty": "Специальность",
        "when": "Дата и время",
        "room": "Кабинет",
        "clinic": "Поликлиника",
        "address": "Адрес",
        "phone": "Телефон",
        "local_time": "время местное, UTC{offset}",
        "come": "Приходите к назначенному времени, возьмите с собой паспорт и полис ОМС.",
        "cancel_link": "Отменить запись",
        "cancel_before": "Если не сможете прийти, отмените запись не позднее {when}, чтобы время мог занять "
                         "другой пациент.",
        "cancelled_text": "Запись отменена, время приёма освободилось. Событие будет удалено из календаря, "
                          "если вы его добавляли.",
        "book_again": "Записаться снова",
        "clinic_cancelled": "Поликлиника отменила запись: {reason}. Приносим извинения. Запишитесь, пожалуйста, "
                            "на другое время или к другому врачу.",
        "reason_sick": "врач заболел", "reason_vacation": "врач в отпуске",
        "reason_training": "врач на обучении", "reason_other": "врач не сможет принять",
        "calendar": "Во вложении — событие для календаря (файл .ics).",
        "auto": "Письмо отправлено автоматически. По вопросам записи звоните в регистратуру поликлиники.",
        "event_summary": "Приём: {specialty} ({doctor})",
        "event_room": "каб. {room}",
        "filename_ticket": "talon.ics",
        "filename_cancel": "otmena.ics",
    },
    "en": {
        "from_name": "Doctor appointments",
        "ticket_subject": "Appointment ticket No. {number}: {specialty}, {when}",
        "cancel_subject": "Appointment cancelled: ticket No. {number}, {when}",
        "ticket_title": "Your appointment ticket",
        "moved_subject": "Appointment moved: ticket No. {number}, {specialty}, {when}",
        "reminder_subject": "Reminder: appointment {when}, {specialty}, ticket No. {number}",
        "reminder_title": "A reminder of your appointment",
        "reschedule_link": "Move the appointment",
        "reminders_off_link": "No more reminders for this appointment",
        "moved_title": "Your appointment has been moved to a new time",
        "cancel_title": "Your appointment is cancelled",
        "number": "Ticket number",
        "patient": "Patient",
        "doctor": "Doctor",
        "specialty": "Specialty",
        "when": "Date and time",
        "room": "Room",
        "clinic": "Clinic",
        "address": "Address",
        "phone": "Phone",
        "local_time": "local time, UTC{offset}",
        "come": "Please come on time and bring your passport and OMS policy.",
        "cancel_link": "Cancel the appointment",
        "cancel_before": "If you cannot come, please cancel by {when} so that another patient can take the time.",
        "cancelled_text": "The appointment is cancelled and the time is free again. If you added it to your "
                          "calendar, the event will be removed.",
        "book_again": "Book again",
        "clinic_cancelled": "The clinic cancelled the appointment: {reason}. We apologise. Please book another "
                            "time or another doctor.",
        "reason_sick": "the doctor is ill", "reason_vacation": "the doctor is on leave",
        "reason_training": "the doctor is at a training course", "reason_other": "the doctor cannot see patients",
        "calendar": "The calendar event is attached (.ics file).",
        "auto": "This message was sent automatically. For questions, call the clinic's registry.",
        "event_summary": "Appointment: {specialty} ({doctor})",
        "event_room": "room {room}",
        "filename_ticket": "ticket.ics",
        "filename_cancel": "cancellation.ics",
    },
}


def language(appt: dict[str, Any]) -> str:
    """The booking's language: English only when the booking asked for it."""
    return normalize(appt.get("lang"))


def _local(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def day_text(moment: datetime, lang: str, weekday: bool = True) -> str:
    """'четверг, 26 ноября 2026' / 'Thursday, 26 November 2026' (no locale needed on Lambda)."""
    if lang == "en":
        day = f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"
        return f"{_WEEKDAYS_EN[moment.weekday()]}, {day}" if weekday else day
    day = f"{moment.day} {_MONTHS_RU[moment.month - 1]} {moment.year}"
    return f"{_WEEKDAYS_RU[moment.weekday()]}, {day}" if weekday else day


def when_text(start_iso: str, end_iso: str, lang: str) -> str:
    """'четверг, 26 ноября 2026, 08:00–08:20 (время местное, UTC+03:00)' — the clinic's wall clock."""
    start, end = _local(start_iso), _local(end_iso)
    offset = start.strftime("%z")
    zone = TEXT[lang]["local_time"].format(offset=f"{offset[:3]}:{offset[3:]}")
    return f"{day_text(start, lang)}, {start:%H:%M}–{end:%H:%M} ({zone})"


def short_when(start_iso: str) -> str:
    start = _local(start_iso)
    return f"{start:%d.%m.%Y %H:%M}"


def _patient_name(ticket: dict[str, Any]) -> str:
    p = ticket["patient"]
    return " ".join(x for x in (p.get("lastName"), p.get("firstName"), p.get("middleName")) if x)


def _facts(ticket: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    t = TEXT[lang]
    return [
        (t["number"], ticket["number"]),
        (t["patient"], _patient_name(ticket)),
        (t["doctor"], ticket["doctor"]["name"]),
        (t["specialty"], ticket["doctor"]["specialty"]),
        (t["when"], when_text(ticket["start"], ticket["end"], lang)),
        (t["room"], str(ticket["room"])),
        (t["clinic"], ticket["clinic"]["name"]),
        (t["address"], ticket["clinic"]["address"]),
        (t["phone"], ticket["clinic"]["phone"]),
    ]


def subject(ticket: dict[str, Any], kind: str, lang: str) -> str:
    t = TEXT[lang]
    template = t["ticket_subject"] if kind == TICKET else t["cancel_subject"]
    if kind == TICKET and ticket.get("rescheduledFrom"):
        template = t["moved_subject"]
    if kind == REMINDER:
        template = t["reminder_subject"]
    return template.format(number=ticket["number"], specialty=ticket["doctor"]["specialty"],
                           when=short_when(ticket["start"]))


def _paragraphs(ticket: dict[str, Any], kind: str, lang: str) -> list[tuple[str, str | None]]:
    """(text, link) paragraphs after the facts: what to do next."""
    t = TEXT[lang]
    if kind in (TICKET, REMINDER):
        before = _local(ticket["cancellation"]["recommendedBefore"])
        out: list[tuple[str, str | None]] = [
            (t["come"], None),
            (t["cancel_before"].format(when=f"{day_text(before, lang, weekday=False)}, {before:%H:%M}"), None),
            (ticket["cancellation"]["hint"], None),
            (t["cancel_link"], ticket["cancellation"]["url"]),
        ]
        if kind == REMINDER:
            out.append((t["reschedule_link"], ticket_link.reschedule_url(ticket["id"])))
            if ticket.get("remindersOff"):
                out.append((t["reminders_off_link"], ticket["remindersOff"]))
        return [*out, (t["calendar"], None)]
    first = [(t["cancelled_text"], None)]
    if ticket.get("cancelledBy") == "clinic":
        reason = t.get(f"reason_{ticket.get('cancelReason') or 'other'}", t["reason_other"])
        first = [(t["clinic_cancelled"].format(reason=reason), None)]
    return [
        *first,
        (t["book_again"], ticket_link.base_url() + "/"),
        (t["calendar"], None),
    ]


def _title(ticket: dict[str, Any], kind: str, lang: str) -> str:
    t = TEXT[lang]
    if kind == REMINDER:
        return t["reminder_title"]
    if kind == TICKET:
        return t["moved_title"] if ticket.get("rescheduledFrom") else t["ticket_title"]
    return t["cancel_title"]


def plain_text(ticket: dict[str, Any], kind: str, lang: str) -> str:
    t = TEXT[lang]
    lines = [_title(ticket, kind, lang), ""]
    lines += [f"{label}: {value}" for label, value in _facts(ticket, lang)]
    lines.append("")
    for text, link in _paragraphs(ticket, kind, lang):
        lines.append(f"{text}: {link}" if link else text)
        lines.append("")
    lines.append(t["auto"])
    return "\n".join(lines) + "\n"


def html_text(ticket: dict[str, Any], kind: str, lang: str) -> str:
    """Simple and accessible: one column, real headings and a definition list, large type, no images,
    no layout tables, links with words that say where they lead."""
    t = TEXT[lang]
    e = html.escape
    title = _title(ticket, kind, lang)
    facts = "".join(
        f'<dt style="font-weight:bold;margin-top:8px">{e(label)}</dt><dd style="margin:0 0 4px 0">{e(value)}</dd>'
        for label, value in _facts(ticket, lang))
    paras = []
    for text, link in _paragraphs(ticket, kind, lang):
        if link:
            paras.append(f'<p><a href="{e(link, quote=True)}" style="color:#0b57d0;font-weight:bold">{e(text)}</a>'
                         f"<br><span style=\"color:#444\">{e(link)}</span></p>")
        else:
            paras.append(f"<p>{e(text)}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(subject(ticket, kind, lang))}'
        f"</title></head>\n"
        f'<body style="margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;'
        f'font-size:16px;line-height:1.5">\n<main style="max-width:600px">\n'
        f'<h1 style="font-size:22px;margin:0 0 12px 0">{e(title)}</h1>\n'
        f'<p style="font-size:20px;margin:0 0 12px 0"><strong>№ {e(ticket["number"])}</strong></p>\n'
        f"<dl>{facts}</dl>\n" + "\n".join(paras) + "\n"
        f'<p style="color:#444;font-size:14px">{e(t["auto"])}</p>\n</main>\n</body></html>\n'
    )


def _event_description(ticket: dict[str, Any], kind: str, lang: str) -> str:
    t = TEXT[lang]
    lines = [f'{t["number"]}: {ticket["number"]}', f'{t["room"]}: {ticket["room"]}',
             f'{t["phone"]}: {ticket["clinic"]["phone"]}']
    if kind in (TICKET, REMINDER):
        lines.append(f'{t["cancel_link"]}: {ticket["cancellation"]["url"]}')
    else:
        lines.append(t["cancelled_text"])
    return "\n".join(lines)


def calendar_uid(appt: dict[str, Any]) -> str:
    """The calendar event's UID: the first ticket's id, kept through reschedules."""
    return str(appt.get("calendarUid") or appt["id"])


def calendar_sequence(appt: dict[str, Any], kind: str) -> int:
    """Higher with every version of the event: each reschedule adds one to the base."""
    return int(appt.get("calendarSequence", 0)) + SEQUENCE[kind]


def calendar(appt: dict[str, Any], ticket: dict[str, Any], kind: str, lang: str, sender: str) -> bytes:
    """The iCalendar object: METHOD:REQUEST for the ticket, METHOD:CANCEL (same UID, SEQUENCE+1) for the
    cancellation. Times carry TZID of the clinic's zone with its VTIMEZONE, so every calendar places them right."""
    t = TEXT[lang]
    zone = clock.zone()
    start = datetime.fromtimestamp(int(appt["start"]), zone)
    end = datetime.fromtimestamp(int(appt["end"]), zone)
    # DTSTAMP is when this version of the event was made: a replayed email carries the same calendar.
    stamp_epoch = int((appt.get("cancelledAt") if kind == CANCELLATION else None) or appt.get("createdAt")
                      or appt["start"])
    cal = Calendar()
    cal.add("prodid", "-//Zapis k vrachu//Notifier//RU")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", METHOD[kind])
    event = Event()
    event.add("uid", calendar_uid(appt))
    event.add("sequence", calendar_sequence(appt, kind))
    event.add("dtstamp", datetime.fromtimestamp(stamp_epoch, UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", t["event_summary"].format(specialty=ticket["doctor"]["specialty"],
                                                    doctor=ticket["doctor"]["name"]))
    event.add("location", f'{ticket["clinic"]["name"]}, {ticket["clinic"]["address"]}, '
                          + t["event_room"].format(room=ticket["room"]))
    event.add("description", _event_description(ticket, kind, lang))
    event.add("status", "CANCELLED" if kind == CANCELLATION else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = vText(ticket["clinic"]["name"])
    event.add("organizer", organizer)
    if appt.get("email"):
        attendee = vCalAddress(f"mailto:{appt['email']}")
        attendee.params["cn"] = vText(_patient_name(ticket))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    cal.add_component(event)
    # Only the transitions around the appointment: a short VTIMEZONE that still resolves the local time.
    cal.add_missing_timezones(first_date=(start - timedelta(days=400)).date(),
                              last_date=(end + timedelta(days=400)).date())
    return bytes(cal.to_ical())


@dataclass(frozen=True)
class _Sending:
    """Who an email is from and when, the same for every kind: the sender's address, the Reply-To (None:
    none), and the moment of the Date header (None: now)."""

    sender: str
    reply_to: str | None
    now: int | None


def _message(subject_: str, to: str, kind: str, lang: str, sending: _Sending) -> EmailMessage:
    """An email's headers, the same for every kind."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject_
    msg["From"] = formataddr((TEXT[lang]["from_name"], sending.sender))
    msg["To"] = to
    if sending.reply_to:
        msg["Reply-To"] = sending.reply_to
    msg["Date"] = format_datetime(datetime.fromtimestamp(sending.now if sending.now is not None else clock.now(), UTC))
    msg["Message-ID"] = make_msgid(idstring=kind, domain=sending.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def build(appt: dict[str, Any], kind: str, *, sender: str, reply_to: str | None = None,
          now: int | None = None) -> EmailMessage:
    """The whole email for a stored appointment item (plain values, as dal.from_item gives them)."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    if kind == OFFER:
        return offer_email(appt, sender=sender, reply_to=reply_to, now=now)
    lang = language(appt)
    ticket = tickets.render(appt, lang)
    if kind == REMINDER and appt.get("reminderToken"):
        ticket["remindersOff"] = (f"{ticket_link.base_url()}/#/reminders-off/{appt['id']}/{appt['reminderToken']}")
    msg = _message(subject(ticket, kind, lang), appt["email"], kind, lang, _Sending(sender, reply_to, now))
    msg.set_content(plain_text(ticket, kind, lang))
    msg.add_alternative(html_text(ticket, kind, lang), subtype="html")
    ics = calendar(appt, ticket, kind, lang, sender)
    filename = TEXT[lang]["filename_cancel"] if kind == CANCELLATION else TEXT[lang]["filename_ticket"]
    msg.add_attachment(ics, maintype="text", subtype="calendar", filename=filename,
                       params={"method": METHOD[kind], "charset": "UTF-8"})
    # Set last: making the message multipart moves Content-* headers into the first part.
    msg["Content-Language"] = lang
    return msg


# ---------------------------------------------------------------- the waiting list's offer (issue 15)
OFFER_TEXT = {
    "ru": {"subject": "Освободилось время: {specialty}, {when}",
           "hello": "Освободилось время, которого вы ждали.",
           "held": "Мы удерживаем его для вас до {until}. Чтобы записаться, откройте ссылку и нажмите «Записаться»:",
           "later": "Если не успеете, время предложат следующему пациенту в очереди.",
           "doctor": "Врач", "room": "Кабинет", "clinic": "Поликлиника"},
    "en": {"subject": "A time has freed up: {specialty}, {when}",
           "hello": "A time you were waiting for has freed up.",
           "held": "It is held for you until {until}. To book it, open the link and press \"Book\":",
           "later": "If you do not, it will be offered to the next patient waiting.",
           "doctor": "Doctor", "room": "Room", "clinic": "Clinic"},
}


def offer_email(entry: dict[str, Any], *, sender: str, reply_to: str | None = None,
                now: int | None = None) -> EmailMessage:
    """The offer: the slot, how long it is held, and the one-click link (shared/booking/waitlist.py)."""
    lang = language(entry)
    words = OFFER_TEXT[lang]
    start, end = clock.local_iso(int(entry["offerStart"])), clock.local_iso(int(entry["offerEnd"]))
    until = _local(clock.local_iso(int(entry["offerExpiresAt"])))
    link = ticket_link.offer_url(entry["id"])
    facts = [(words["doctor"], f"{localized(entry, 'offerDoctorName', lang)} ({localized(entry, 'specialty', lang)})"),
             (TEXT[lang]["when"], when_text(start, end, lang)), (words["room"], str(entry.get("offerRoom", ""))),
             (words["clinic"], localized(entry, "clinicName", lang))]
    lines = [words["hello"], "", *[f"{k}: {v}" for k, v in facts], "",
             words["held"].format(until=f"{until:%H:%M}"), link, "", words["later"], "", TEXT[lang]["auto"]]
    msg = _message(words["subject"].format(specialty=localized(entry, "specialty", lang), when=short_when(start)),
                   entry["email"], OFFER, lang, _Sending(sender, reply_to, now))
    msg.set_content("\n".join(lines))
    rows = "".join(f"<tr><th scope=\"row\">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts)
    msg.add_alternative(
        f"<!doctype html><html lang=\"{lang}\"><body><p>{html.escape(words['hello'])}</p><table>{rows}</table>"
        f"<p>{html.escape(words['held'].format(until=f'{until:%H:%M}'))}</p>"
        f"<p><a href=\"{html.escape(link)}\">{html.escape(link)}</a></p><p>{html.escape(words['later'])}</p>"
        f"<p>{html.escape(TEXT[lang]['auto'])}</p></body></html>", subtype="html")
    msg["Content-Language"] = lang
    return msg
