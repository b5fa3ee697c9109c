"""Domain errors and their place in the HTTP contract (docs/CONTRACT.md): code, status, Russian and English text.

Logic raises `DomainError(code)`; the API layer turns it into
`{"error": {"code": ..., "message": ...}}` in the language the request asked for.

These texts are also the web page's for the same codes: `make error-catalogue` (infra/error_catalogue.py) writes
them to web/errors.js, which web/i18n.js imports; `make check-error-catalogue` (part of `make test`) fails while
that file is stale. Write them for a patient reading them on the page as much as for an API client.
"""
from __future__ import annotations

from typing import Any

from shared.platform.language import from_header

# code -> (HTTP status, Russian text, English text)
CATALOGUE: dict[str, tuple[int, str, str]] = {
    "validation_error": (422, "Проверьте введённые данные.", "Please check the data you entered."),
    "not_found": (
        404,
        "Не найдено. Возможно, данные устарели — начните сначала.",
        "Not found. The data may be out of date — please start again.",
    ),
    "slot_unavailable": (
        409,
        "Это время только что заняли. Выберите другое время.",
        "This time has just been taken. Please choose another time.",
    ),
    "hold_expired": (
        410,
        "Время, отведённое на оформление записи, истекло, и это время уже занято. Выберите другое время.",
        "Your time to complete the booking ran out and this time has been taken. Please choose another time.",
    ),
    "hold_mismatch": (
        409,
        "Бронь относится к другому времени приёма или к другому пациенту. Выберите время снова.",
        "The hold belongs to another appointment time or another patient. Please choose the time again.",
    ),
    "already_booked_specialty": (
        409,
        "У вас уже есть запись к врачу этой специальности. Отмените её, чтобы записаться снова.",
        "You already have an upcoming appointment with this specialty. Cancel it to book another.",
    ),
    "patient_not_found": (
        403,
        "Пациент не найден: проверьте фамилию, дату рождения и номер полиса ОМС или обратитесь в регистратуру.",
        "Patient not found: check your last name, birth date and OMS policy number, or contact the registry.",
    ),
    "not_attached": (
        403,
        "Вы не прикреплены к этой поликлинике. Узнайте свою поликлинику по адресу или обратитесь в регистратуру.",
        "You are not attached to this polyclinic. Look up your polyclinic by address or contact the registry.",
    ),
    "referral_required": (
        403,
        "К этому специалисту записывают только по направлению. Обратитесь к терапевту или педиатру.",
        "This specialty takes appointments by referral only. Please see your GP or paediatrician first.",
    ),
    "referral_not_found": (
        404,
        "Направление не найдено: проверьте номер направления и фамилию.",
        "Referral not found: check the referral number and the last name.",
    ),
    "referral_used": (
        409,
        "По этому направлению уже есть запись. Отмените её, чтобы записаться по направлению снова.",
        "This referral has already been used for an appointment. Cancel it to use the referral again.",
    ),
    "referral_expired": (
        410,
        "Срок действия направления истёк. Обратитесь к врачу, который его выдал.",
        "The referral has expired. Please ask the doctor who issued it.",
    ),
    "referral_mismatch": (
        403,
        "Направление выдано другому пациенту, к другому специалисту или в другую поликлинику.",
        "The referral was issued for another patient, another specialty or another polyclinic.",
    ),
    "waitlist_exists": (
        409,
        "Вы уже ждёте свободное время к врачу этой специальности. Мы напишем, когда оно появится.",
        "You are already waiting for a time with this specialty. We will email you when one frees up.",
    ),
    "offer_expired": (
        410,
        "Предложенное время больше не закреплено за вами: срок истёк или предложение отозвано.",
        "The offered time is no longer held for you: the offer has expired or was withdrawn.",
    ),
    "age_restricted": (
        422,
        "Этот врач принимает пациентов другого возраста: детей до 18 лет записывают к врачам детской "
        "поликлиники, взрослых — к врачам взрослой.",
        "This doctor sees patients of another age: children under 18 see the doctors of a children's "
        "polyclinic, adults those of an adult one.",
    ),
    "clinic_kind_mismatch": (
        422,
        "Эта поликлиника прикрепляет пациентов другого возраста: детей до 18 лет — детская поликлиника, "
        "взрослых — взрослая.",
        "This polyclinic attaches patients of another age: children under 18 go to a children's polyclinic, "
        "adults to an adult one.",
    ),
    "outside_booking_window": (
        422,
        "Записаться можно только на ближайшие 14 дней и на время, которое ещё не наступило.",
        "You can only book a time that has not started yet and is within the next 14 days.",
    ),
    "appointment_started": (
        409,
        "Приём уже начался или прошёл: отменить или перенести запись нельзя.",
        "The appointment has already started or passed: it can no longer be cancelled or moved.",
    ),
    "already_cancelled": (409, "Запись уже отменена.", "The appointment has already been cancelled."),
    "already_rescheduled": (
        409,
        "Запись уже перенесена на другое время: откройте новую запись.",
        "The appointment has already been moved to another time: open the new appointment.",
    ),
    "reschedule_mismatch": (
        422,
        "Перенести запись можно только к врачу той же специальности в той же поликлинике.",
        "An appointment can only be moved to a doctor of the same specialty at the same polyclinic.",
    ),
    "idempotency_key_required": (
        400,
        "Запрос не принят: нужен заголовок Idempotency-Key. Обновите страницу и повторите попытку.",
        "The request was refused: the Idempotency-Key header is required. Please reload the page and try again.",
    ),
    "idempotency_key_reused": (
        422,
        "Этот Idempotency-Key уже использован для запроса с другими данными. Обновите страницу и повторите попытку.",
        "This Idempotency-Key was already used for a request with other data. Please reload the page and try again.",
    ),
    "unauthorized": (
        401,
        "Нужно войти в систему (или срок входа истёк).",
        "Please sign in (or your sign-in has expired).",
    ),
    "forbidden": (
        403,
        "Недостаточно прав: сотрудник регистратуры работает только с данными своей поликлиники и в пределах "
        "своей роли.",
        "Not allowed: registry staff act only for their own polyclinic and within their role.",
    ),
    "unsupported_media_type": (
        415,
        "Запрос не принят: тело запроса должно быть в формате JSON (Content-Type: application/json). "
        "Обновите страницу и повторите попытку.",
        "The request was refused: the body must be JSON (Content-Type: application/json). "
        "Please reload the page and try again.",
    ),
    "payload_too_large": (
        413,
        "Слишком много данных в запросе. Проверьте введённые данные.",
        "The request holds too much data. Please check what you entered.",
    ),
    "rate_limited": (429, "Слишком много запросов. Повторите позже.", "Too many requests. Please try again later."),
    "unavailable": (
        503,
        "Сервис временно перегружен. Повторите попытку через несколько секунд.",
        "The service is busy. Please try again in a few seconds.",
    ),
    # Attachment: the address register, the attachment look-up, the change of polyclinic.
    "address_not_found": (
        404,
        "Адрес не найден в регистре: проверьте улицу и номер дома или обратитесь в ближайшую поликлинику.",
        "Address not found in the register: check the street and house number or ask the nearest polyclinic.",
    ),
    "attachment_not_found": (
        404,
        "Полис не найден среди прикреплённых: проверьте номер и серию полиса или обратитесь в регистратуру "
        "поликлиники по месту жительства.",
        "This policy is not attached to any polyclinic: check the policy number and series or contact the "
        "registry of a polyclinic near your home.",
    ),
    "attachment_change_too_soon": (
        409,
        "Сменить поликлинику по своему выбору можно не чаще одного раза в год (кроме смены места жительства). "
        "Ближайшая дата указана в ответе.",
        "A polyclinic can be changed by choice at most once a year (except after moving home). "
        "The first allowed date is given in the answer.",
    ),
    "already_attached": (
        409,
        "Пациент уже прикреплён к этой поликлинике.",
        "The patient is already attached to this polyclinic.",
    ),
    # Clinic side: attendance.
    "appointment_not_started": (
        409,
        "Приём ещё не начался: явку можно отметить после его начала.",
        "The appointment has not started yet: attendance can be recorded once it starts.",
    ),
    "attendance_already_recorded": (
        409,
        "Явка на этот приём уже отмечена.",
        "Attendance for this appointment has already been recorded.",
    ),
}


class DomainError(Exception):
    """A refusal the contract names. `detail` adds safe, non-personal context (never patient data)."""

    def __init__(self, code: str, detail: dict[str, Any] | None = None, retry_after: int | None = None) -> None:
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code}")
        super().__init__(code)
        self.code = code
        self.detail = detail or {}
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return CATALOGUE[self.code][0]


language = from_header  # the request's language (shared/platform/language.py decides)


def message(code: str, lang: str) -> str:
    _, ru, en = CATALOGUE[code]
    return en if lang == "en" else ru


def error_body(code: str, lang: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message(code, lang)}
    if detail:
        body["details"] = detail
    return {"error": body}
