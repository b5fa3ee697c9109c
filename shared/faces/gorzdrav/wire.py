"""gorzdrav's wire format (../shared/gorzdrav-api.md §2): envelopes, error codes, times, tolerant input."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from shared.faces import request_limits
from shared.platform import clock
from shared.platform.errors import DomainError

# Real gorzdrav codes and texts (§2.4).
NO_SPECIALTIES = 37
NO_DOCTORS = 38
NO_SLOTS = 39
NO_SCHEDULE = 645
SOMETHING_WRONG = 660
NO_REFERRAL = 676
SIMILAR_SPECIALIST = 751
# The façade's own codes where gorzdrav's are unrecorded (docs/gorzdrav.md lists them; §5 open question 1).
PATIENT_NOT_FOUND = 900
SLOT_TAKEN = 901
NOT_ATTACHED = 902
REFERRAL_REQUIRED = 903
OUTSIDE_WINDOW = 904
APPOINTMENT_NOT_FOUND = 905
APPOINTMENT_STARTED = 906
LPU_NOT_FOUND = 907
INVALID_REQUEST = 908
AGE_RESTRICTED = 909
REFERRAL_USED = 910
REFERRAL_EXPIRED = 911
REFERRAL_MISMATCH = 912

MESSAGES: dict[int, str] = {
    NO_SPECIALTIES: "Отсутствуют специальности для записи на приём. Для записи к врачу обратитесь в регистратуру "
                    "или колл-центр медицинской организации",
    NO_DOCTORS: "Отсутствуют специалисты для приёма по выбранной специальности. Обратитесь в регистратуру "
                "медорганизации",
    NO_SLOTS: "В медицинской организации закончились свободные талоны для записи к выбранному врачу. Попробуйте "
              "записаться позже или обратитесь в регистратуру медицинской организации",
    NO_SCHEDULE: "Не найдено расписание медицинского ресурса",
    SOMETHING_WRONG: "Что-то пошло не так. Попробуйте записаться позже",
    NO_REFERRAL: "Направление не найдено. Пожалуйста, проверьте корректность введенных данных",
    SIMILAR_SPECIALIST: "Запись к врачу возможна при отсутствии активной записи к аналогичному специалисту",
    PATIENT_NOT_FOUND: "Пациент не найден. Проверьте фамилию, имя, отчество и дату рождения или обратитесь "
                       "в регистратуру медицинской организации",
    SLOT_TAKEN: "Талон уже занят. Выберите другое время",
    NOT_ATTACHED: "Пациент не прикреплён к этой медицинской организации. Обратитесь в регистратуру",
    REFERRAL_REQUIRED: "Запись к этому специалисту возможна только по направлению",
    OUTSIDE_WINDOW: "Записаться можно только на время в ближайшие 14 дней, ещё не наступившее",
    APPOINTMENT_NOT_FOUND: "Запись не найдена",
    APPOINTMENT_STARTED: "Приём уже начался или прошёл: отменить запись нельзя",
    LPU_NOT_FOUND: "Медицинская организация не найдена",
    INVALID_REQUEST: "Проверьте введённые данные",
    AGE_RESTRICTED: "Этот врач принимает пациентов другого возраста",
    REFERRAL_USED: "По этому направлению уже есть запись",
    REFERRAL_EXPIRED: "Срок действия направления истёк",
    REFERRAL_MISMATCH: "Направление выдано к другому специалисту или в другую медицинскую организацию",
}

# Our domain's refusals (shared.platform.errors codes) in gorzdrav's terms.
FROM_DOMAIN: dict[str, int] = {
    "already_booked_specialty": SIMILAR_SPECIALIST,
    "patient_not_found": PATIENT_NOT_FOUND,
    "slot_unavailable": SLOT_TAKEN,
    "hold_expired": SLOT_TAKEN,
    "not_attached": NOT_ATTACHED,
    "referral_required": REFERRAL_REQUIRED,
    "age_restricted": AGE_RESTRICTED,
    "outside_booking_window": OUTSIDE_WINDOW,
    "appointment_started": APPOINTMENT_STARTED,
    "validation_error": INVALID_REQUEST,
    "attachment_not_found": PATIENT_NOT_FOUND,
    "referral_not_found": NO_REFERRAL,
    "referral_used": REFERRAL_USED,
    "referral_expired": REFERRAL_EXPIRED,
    "referral_mismatch": REFERRAL_MISMATCH,
}
# A body the input rules of every face refuse (shared/faces/request_limits.py) is not read at all: INVALID_REQUEST
# with the HTTP status of a request that cannot be read (ASP.NET's, which gorzdrav is), not gorzdrav's 200 of
# a business refusal. By the rules' code: too large, not JSON by its media type, JSON that breaks a limit.
UNREAD_STATUS: dict[str, int] = {"payload_too_large": 413, "unsupported_media_type": 415, "validation_error": 400}


class GzError(Exception):
    """A business refusal: answered as HTTP 200 (or `status`) with success false, this code and its Russian text."""

    def __init__(self, code: int, status: int = 200) -> None:
        super().__init__(str(code))
        self.code = code
        self.status = status


def unread(refused: DomainError) -> GzError:
    """A refusal of the input rules (shared/faces/request_limits.py) in gorzdrav's terms."""
    return GzError(INVALID_REQUEST, UNREAD_STATUS.get(refused.code, 400))


def ok(result: Any) -> dict[str, Any]:
    return {"result": result, "success": True, "errorCode": 0, "message": None, "stackTrace": None}


def error(code: int, request_id: str | None = None) -> dict[str, Any]:
    """No `result` key, as gorzdrav (§2.1); `requestId` is a GUID."""
    return {"success": False, "errorCode": code, "message": MESSAGES.get(code, MESSAGES[SOMETHING_WRONG]),
            "stackTrace": None, "requestId": request_id or str(uuid.uuid4())}


# ---------------------------------------------------------------- times
def naive(epoch: int) -> str:
    """Naive Moscow (the clinic's zone) local time, YYYY-MM-DDTHH:MM:SS."""
    return datetime.fromtimestamp(epoch, clock.zone()).strftime("%Y-%m-%dT%H:%M:%S")


def naive_from_iso(value: str | None) -> str | None:
    """Our API's ISO time with offset (2026-11-26T08:00:00+03:00) -> 2026-11-26T08:00:00."""
    return value[:19] if value else None


def midnight(value: str | None) -> str | None:
    """nearestDate/lastDate are midnight values (2025-02-18T00:00:00)."""
    return f"{value[:10]}T00:00:00" if value else None


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def birth_date(*candidates: str | None) -> date | None:
    """The first value that is a date in any format clients send (§2.3 (9)): 1998-07-18T00:00:00,
    1990-05-15, 18.07.1998; fractions and a Z are tolerated. A date outside the years every face accepts
    (shared/faces/request_limits.py, 1900-2100: 0001-01-01 or 9999-12-31, say) is no date."""
    for raw in candidates:
        value = (raw or "").strip()
        if re.match(r"^\d{4}-\d{2}-\d{2}T", value):
            value = value[:10]
        for fmt in _DATE_FORMATS:
            try:
                found = datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if request_limits.date_in_range(found):
                return found
    return None


def fields(body: dict[str, Any]) -> dict[str, Any]:
    """A JSON body's fields by a name without case or underscores: `lpuId`, `lpuid` and `lpu_id` are one field.
    gorzdrav binds names without regard to case (§2.1), and clients that dump pydantic models without their
    aliases send snake_case (vispar-tech's create: `patient_id`, `appointment_id`)."""
    return {k.replace("_", "").lower(): v for k, v in body.items() if isinstance(k, str)}


def int_id(value: Any) -> int | None:
    """lpuId as int or numeric string (§2.1)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # ASCII digits only: str.isdigit is true for "²", which int() refuses.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
        return int(value.strip())
    return None


def text(value: Any, limit: int = 300) -> str | None:
    """A string field of a tolerant body: strings only, stripped, bounded; anything else is absent."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:limit] if value else None
