"""The gorzdrav-compatible façade under moto: every endpoint's golden shape (every key, every type), the
error envelope, the tolerance rules, identity, safe retries, and that a façade booking is one of ours."""
from __future__ import annotations

import json
import uuid
from typing import Any

from shared.faces.gorzdrav import identity, wire
from shared.platform import clock, dal, keys
from tests.handler.helpers import assert_clean
from tests.support import claims_of, http_event, invoke, patient_body, patients_of

B = "/_api/api/v2"
LPU = 111  # cl0101's gorzdrav id (infra/demo/gorzdrav_ids.json)
OTHER_LPU = 112  # cl0102
THERAPIST = "4"
PATIENT, OTHER, OLD_STYLE = patients_of("cl0101")
NULL = type(None)
DATETIME = "datetime"  # naive Moscow YYYY-MM-DDTHH:MM:SS

ENVELOPE = {"result": object, "success": bool, "errorCode": int, "message": NULL, "stackTrace": NULL}
ERROR = {"success": bool, "errorCode": int, "message": str, "stackTrace": NULL, "requestId": str}
DISTRICT = {"id": str, "name": str, "okato": int}
LPU_SHAPE = {
    "id": int, "description": str, "district": int, "districtId": int, "districtName": str, "isActive": bool,
    "lpuFullName": str, "lpuShortName": str, "lpuType": str, "oid": (str, NULL), "partOf": (str, NULL),
    "headOrganization": str, "organization": str, "address": str, "phone": str, "email": str,
    "longitude": str, "latitude": str, "covidVaccination": bool, "inDepthExamination": bool,
    "covidVaccinationTicketCount": (int, NULL), "covidVaccinationTicketReceiveTime": (str, NULL),
    "subdivision": (str, NULL),
}
SPECIALTY = {"id": str, "ferId": str, "name": str, "countFreeParticipant": int, "countFreeTicket": int,
             "lastDate": (DATETIME, NULL), "nearestDate": (DATETIME, NULL)}
DOCTOR = {"id": str, "name": str, "ariaNumber": str, "ariaType": (str, NULL), "comment": str,
          "freeParticipantCount": int, "freeTicketCount": int, "lastDate": (DATETIME, NULL),
          "nearestDate": (DATETIME, NULL), "lastName": (str, NULL), "firstName": (str, NULL),
          "middleName": (str, NULL)}
SLOT = {"id": str, "visitStart": DATETIME, "visitEnd": DATETIME, "address": str, "number": (int, NULL),
        "room": str}
DAY = {"appointments": list, "denyCause": (str, NULL), "recordableDay": bool, "visitStart": DATETIME,
       "visitEnd": DATETIME}
PATIENT_APPOINTMENT = {
    "appointmentId": str, "dateCreatedAppointment": (DATETIME, NULL), "visitStart": DATETIME,
    "status": (str, NULL), "type": (str, NULL), "lpuId": str, "lpuShortName": str, "lpuFullName": str,
    "lpuAddress": str, "lpuPhone": str, "patientId": str, "patientFullName": (str, NULL),
    "patientBirthDate": (str, NULL), "isAppointmentByReferral": bool, "referralId": (str, NULL),
    "doctorRendingConsultation": DOCTOR, "specialityRendingConsultation": SPECIALTY,
    "positionRendingConsultation": NULL, "doctorBringReferal": NULL, "specialityBringReferal": NULL,
    "positionBringReferal": NULL, "infections": (str, NULL),
}


def assert_shape(value: Any, spec: Any, where: str = "result") -> None:
    """Every key present, no other key, every value of its type (a naive time where DATETIME)."""
    if isinstance(spec, dict):
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        assert set(value) == set(spec), f"{where}: keys {sorted(set(value) ^ set(spec))} differ"
        for k, s in spec.items():
            assert_shape(value[k], s, f"{where}.{k}")
        return
    options = spec if isinstance(spec, tuple) else (spec,)
    for option in options:
        if option == DATETIME:
            if isinstance(value, str) and _naive(value):
                return
        elif isinstance(option, dict):
            if isinstance(value, dict):
                assert_shape(value, option, where)
                return
        elif option is object or (isinstance(value, option) and not (option is int and isinstance(value, bool))):
            return
    raise AssertionError(f"{where}: {value!r} is not {options}")


def _naive(value: str) -> bool:
    from datetime import datetime

    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S").strftime("%Y-%m-%dT%H:%M:%S") == value
    except ValueError:
        return False


def call(method: str, path: str, body: Any = None, query: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    from tests.support import Context, load_function

    event = http_event(method, B + path, body=body, query=query, headers=headers)
    response = load_function("gorzdrav").handler(event, Context())
    out_headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return response["statusCode"], json.loads(response["body"]), out_headers


def ok(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
    status, answer, headers = call(method, path, body, query)
    assert status == 200, answer
    assert headers["content-type"].startswith("application/json")
    assert answer["success"] is True, answer
    assert_shape(answer, ENVELOPE, "envelope")
    return answer["result"]


def refused(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> int:
    """A business refusal: HTTP 200, gorzdrav's error envelope (no `result`), its Russian text."""
    status, answer, _ = call(method, path, body, query)
    assert status == 200, answer
    assert_shape(answer, ERROR, "error")
    assert answer["success"] is False
    assert answer["message"] == wire.MESSAGES[answer["errorCode"]]
    uuid.UUID(answer["requestId"])
    return int(answer["errorCode"])


def search_query(p: dict[str, Any], lpu: int = LPU, **extra: str) -> dict[str, str]:
    return {"lpuId": str(lpu), "lastName": p["lastName"], "firstName": p["firstName"],
            "middleName": p["middleName"] or "", "birthdate": p["birthDate"], **extra}


def patient_id(p: dict[str, Any] = PATIENT) -> str:
    return str(ok("GET", "/patient/search", query=search_query(p)))


def free_slots(doctor: str = "cl0101-d01", lpu: int = LPU) -> list[dict[str, Any]]:
    return list(ok("GET", f"/schedule/lpu/{lpu}/doctor/{doctor}/appointments"))


# ---------------------------------------------------------------- shapes of every endpoint
def test_shared_endpoints_shapes(moto_table: str) -> None:
    found = ok("GET", "/shared/districts")
    assert [d["id"] for d in found] == [str(n) for n in range(1, 19)]
    for d in found:
        assert_shape(d, DISTRICT)
    lpus = ok("GET", "/shared/lpus")
    assert sorted(i["id"] for i in lpus) == [LPU, OTHER_LPU]
    for i in lpus:
        assert_shape(i, LPU_SHAPE)
    assert [i["id"] for i in ok("GET", "/shared/district/1/lpus")] == [LPU, OTHER_LPU]
    assert ok("GET", "/shared/district/2/lpus") == []  # a district without (seeded) clinics
    assert ok("GET", "/shared/district/99/lpus") == []  # unknown district: [] with success true
    assert ok("GET", "/shared/district/abc/lpus") == []
    one = ok("GET", f"/shared/lpu/{LPU}")
    assert_shape(one, LPU_SHAPE)
    assert one["lpuShortName"] == "Городская поликлиника № 11" and one["districtName"] == "Адмиралтейский"
    assert refused("GET", "/shared/lpu/999") == wire.LPU_NOT_FOUND


def test_schedule_endpoints_shapes(moto_table: str) -> None:
    specs = ok("GET", f"/schedule/lpu/{LPU}/specialties")
    for s in specs:
        assert_shape(s, SPECIALTY)
        assert s["id"].isdigit() and s["ferId"].isdigit()
    # Referral-only specialties (cardiologist "5", endocrinologist "19") are not offered for booking.
    assert {s["id"] for s in specs} == {"4", "16", "18", "10", "8", "7"}
    therapist = next(s for s in specs if s["id"] == THERAPIST)
    assert therapist["countFreeParticipant"] == 2 and therapist["countFreeTicket"] > 0
    assert therapist["nearestDate"].endswith("T00:00:00") and therapist["lastDate"] >= therapist["nearestDate"]

    doctors = ok("GET", f"/schedule/lpu/{LPU}/speciality/{THERAPIST}/doctors")
    assert [d["id"] for d in doctors] == ["cl0101-d01", "cl0101-d02"]
    for d in doctors:
        assert_shape(d, DOCTOR)
    assert sum(d["freeTicketCount"] for d in doctors) == therapist["countFreeTicket"]

    days = ok("GET", f"/schedule/lpu/{LPU}/doctor/cl0101-d01/timetable")
    assert days
    for day in days:
        assert_shape(day, DAY)
        for slot in day["appointments"]:
            assert_shape(slot, SLOT)
            assert slot["visitStart"][:10] == day["visitStart"][:10]
    slots = free_slots()
    assert len(slots) == sum(len(d["appointments"]) for d in days) == doctors[0]["freeTicketCount"]
    for slot in slots:
        assert_shape(slot, SLOT)
    first = slots[0]
    assert first["address"] == "ул. Садовая, д. 6" and first["room"] == "103" and first["number"] is None
    # Naive Moscow time: the slot id's UTC stamp + 3 h.
    stamp = first["id"].rsplit(".", 1)[1]
    assert first["visitStart"] == wire.naive(clock.parse_utc_stamp(stamp))


def test_schedule_refusals_and_empty_cases(moto_table: str) -> None:
    assert refused("GET", "/schedule/lpu/999/specialties") == wire.LPU_NOT_FOUND
    assert refused("GET", f"/schedule/lpu/{LPU}/speciality/12345/doctors") == wire.NO_DOCTORS
    # A referral-only specialty is not offered, but its doctors are listed (booking them is refused: 903).
    cardiologists = ok("GET", f"/schedule/lpu/{LPU}/speciality/5/doctors")
    pid = patient_id()
    slot = free_slots(cardiologists[0]["id"])[0]["id"]
    assert refused("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid,
                                                   "appointmentId": slot}) == wire.REFERRAL_REQUIRED
    assert refused("GET", f"/schedule/lpu/{LPU}/doctor/cl0102-d01/appointments") == wire.NO_SCHEDULE
    assert refused("GET", f"/schedule/lpu/{LPU}/doctor/cl0101-d99/timetable") == wire.NO_SCHEDULE
    # A doctor with no free slot left: 39, HTTP 200.
    client = dal.client()
    for item in dal.query_all("PK = :pk AND begins_with(SK, :s)", {":pk": keys.doctor_pk("cl0101-d03"),
                                                                    ":s": "SLOT#"}):
        client.delete_item(TableName=dal.table(), Key=keys.key(item["PK"], item["SK"]))
    assert refused("GET", f"/schedule/lpu/{LPU}/doctor/cl0101-d03/appointments") == wire.NO_SLOTS
    assert ok("GET", f"/schedule/lpu/{LPU}/doctor/cl0101-d03/timetable") == []
    assert refused("GET", "/referral/7800123456") == wire.NO_REFERRAL


def test_error_envelope_has_no_result_key(moto_table: str) -> None:
    status, answer, _ = call("GET", "/referral/1")
    assert status == 200 and "result" not in answer and answer["errorCode"] == 676


# ---------------------------------------------------------------- identity
def test_patient_search_formats_case_and_token(moto_table: str) -> None:
    born = PATIENT["birthDate"]
    y, m, d = born.split("-")
    variants = [{"birthdate": f"{born}T00:00:00"}, {"birthdate": born}, {"birthdate": f"{d}.{m}.{y}"},
                {"birthdate": f"{d}.{m}.{y}", "birthdateValue": born}, {"birthdate": "", "birthdateValue": born}]
    for variant in variants:
        _, answer, headers = call("GET", "/patient/search", query={**search_query(PATIENT), **variant})
        assert answer["success"] is True, (variant, answer)
        assert headers["token"]  # issued, never required
        assert identity.unseal(answer["result"]).policy_hash  # type: ignore[union-attr]
    lower = {k.lower(): v for k, v in search_query(PATIENT).items()}
    assert ok("GET", "/patient/search", query=lower)
    upper = {k.upper(): v for k, v in search_query(PATIENT).items()}
    assert ok("GET", "/patient/search", query=upper)
    shouting = dict(search_query(PATIENT), lastName=PATIENT["lastName"].upper())
    assert ok("GET", "/patient/search", query=shouting)


def test_patient_search_refusals(moto_table: str) -> None:
    assert refused("GET", "/patient/search", query=search_query(PATIENT, lpu=OTHER_LPU)) == wire.PATIENT_NOT_FOUND
    wrong = dict(search_query(PATIENT), birthdate="1901-01-01")
    assert refused("GET", "/patient/search", query=wrong) == wire.PATIENT_NOT_FOUND
    assert refused("GET", "/patient/search", query=dict(search_query(PATIENT), firstName="Другое")) == 900
    assert refused("GET", "/patient/search", query=dict(search_query(PATIENT), birthdate="x")) == wire.INVALID_REQUEST


def test_patient_id_reveals_nothing_and_cannot_be_forged(moto_table: str) -> None:
    pid = patient_id()
    for secret in (PATIENT["lastName"], PATIENT["policyNumber"], PATIENT["birthDate"]):
        assert secret not in pid
    policy_hash = identity.unseal(pid).policy_hash  # type: ignore[union-attr]
    assert policy_hash not in pid
    slot = free_slots()[0]["id"]
    tampered = pid[:-4] + ("AAAA" if not pid.endswith("AAAA") else "BBBB")
    for forged in (tampered, "ИВАНОВ;ИВАН;ИВАНОВИЧ;01.01.1980", "gz1.", "", policy_hash):
        assert refused("POST", "/appointment/create",
                       {"lpuId": LPU, "patientId": forged, "appointmentId": slot}) == wire.PATIENT_NOT_FOUND
    assert refused("GET", "/appointments", query={"lpuId": str(LPU), "patientId": tampered}) == 900
    assert ok("POST", "/patient/update", {"lpuId": LPU, "patientId": pid, "mobilePhoneNumber": "9110000000"})


# ---------------------------------------------------------------- booking through the façade
def test_create_bodies_minimal_vispar_and_front_end(moto_table: str) -> None:
    people = [PATIENT, OTHER, OLD_STYLE]
    slots = free_slots()
    bodies = [
        {"lpuId": LPU, "patientId": patient_id(PATIENT), "appointmentId": slots[0]["id"]},
        {"lpuId": LPU, "patientId": patient_id(OTHER), "appointmentId": slots[1]["id"],
         "patientLastName": OTHER["lastName"], "patientFirstName": OTHER["firstName"],
         "patientMiddleName": OTHER["middleName"], "patientBirthdate": OTHER["birthDate"], "room": "103",
         "address": slots[1]["address"], "visitDate": slots[1]["visitStart"], "recipientEmail": OTHER["email"]},
        {"esiaId": None, "lpuId": str(LPU), "patientId": patient_id(OLD_STYLE), "appointmentId": slots[2]["id"],
         "referralId": None, "ipmpiCardId": None, "recipientEmail": "", "patientLastName": OLD_STYLE["lastName"],
         "patientFirstName": OLD_STYLE["firstName"], "patientMiddleName": OLD_STYLE["middleName"],
         "patientBirthdate": f"{OLD_STYLE['birthDate']}T00:00:00", "room": "103", "num": None,
         "address": slots[2]["address"], "visitDate": slots[2]["visitStart"]},
    ]
    for body in bodies:
        assert ok("POST", "/appointment/create", body) is True
    for p, slot in zip(people, slots, strict=False):
        slot_item = dal.get(keys.slot_key(slot["id"]))  # type: ignore[arg-type]
        assert slot_item and slot_item["status"] == "booked"
        appt = dal.get(keys.appointment_key(slot_item["appointmentId"]))
        assert appt and appt["lastName"] == p["lastName"] and appt["birthDate"] == p["birthDate"]
    emails = [dal.get(keys.appointment_key(dal.get(keys.slot_key(s["id"]))["appointmentId"]))  # type: ignore
              .get("email") for s in slots[:3]]
    assert emails == ["", OTHER["email"], ""]  # recipientEmail, as our bookings' email (none: no email)


def test_retries_are_safe_and_751_for_a_similar_specialist(moto_table: str) -> None:
    pid = patient_id()
    slots = free_slots()
    body = {"lpuId": LPU, "patientId": pid, "appointmentId": slots[0]["id"], "recipientEmail": PATIENT["email"]}
    assert ok("POST", "/appointment/create", body) is True
    assert ok("POST", "/appointment/create", body) is True  # the same create again: success, not "taken"
    assert ok("POST", "/appointment/create", dict(body, recipientEmail="")) is True
    # Field names bind without case or underscores (vispar-tech dumps its model without aliases: snake_case).
    snake = {"lpu_id": LPU, "patient_id": pid, "appointment_id": slots[0]["id"], "recipient_email": None}
    assert ok("POST", "/appointment/create", snake) is True
    assert refused("POST", "/appointment/create", dict(snake, appointment_id=slots[1]["id"])) == 751
    assert refused("POST", "/appointment/create", dict(body, appointmentId=slots[1]["id"])) == 751
    other_doctor = free_slots("cl0101-d02")[0]["id"]
    assert refused("POST", "/appointment/create", dict(body, appointmentId=other_doctor)) == 751
    # Someone else's slot: taken.
    assert refused("POST", "/appointment/create", {"lpuId": LPU, "patientId": patient_id(OTHER),
                                                   "appointmentId": slots[0]["id"]}) == wire.SLOT_TAKEN
    # A slot of another clinic, or no slot at all.
    assert refused("POST", "/appointment/create", dict(body, appointmentId="cl0102-d01.202601010500")) == 901
    assert refused("POST", "/appointment/create", dict(body, appointmentId=12345)) == wire.SLOT_TAKEN
    assert refused("POST", "/appointment/create", dict(body, lpuId="abc")) == wire.LPU_NOT_FOUND
    found = ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid})
    assert len(found) == 1


def test_cancel_twice_then_book_the_same_slot_again(moto_table: str) -> None:
    pid = patient_id()
    slot = free_slots()[0]["id"]
    body = {"lpuId": LPU, "patientId": pid, "appointmentId": slot}
    assert ok("POST", "/appointment/create", body) is True
    (appt,) = ok("GET", "/appointments", query={"lpuid": str(LPU), "patientid": pid})
    cancel = {"lpuId": LPU, "patientId": pid, "appointmentId": appt["appointmentId"], "esiaId": None}
    assert ok("POST", "/appointment/cancel", cancel) is True
    assert ok("POST", "/appointment/cancel", cancel) is True  # twice: still true
    assert ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid}) == []
    # The same create after the cancellation books again (not a replay of the cancelled booking).
    assert ok("POST", "/appointment/create", body) is True
    (again,) = ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid})
    assert again["appointmentId"] != appt["appointmentId"]
    # Another patient cannot cancel it; an unknown id is not found.
    other = dict(cancel, patientId=patient_id(OTHER), appointmentId=again["appointmentId"])
    assert refused("POST", "/appointment/cancel", other) == wire.APPOINTMENT_NOT_FOUND
    assert refused("POST", "/appointment/cancel", dict(cancel, appointmentId="nope")) == 905


def test_patient_appointments_shape(moto_table: str) -> None:
    pid = patient_id()
    today = clock.local_date(clock.now()).isoformat()
    slot = next(s for s in free_slots() if s["visitStart"][:10] > today)  # not one starting in a moment
    assert ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot["id"]})
    (appt,) = ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid})
    assert_shape(appt, PATIENT_APPOINTMENT)
    assert appt["visitStart"] == slot["visitStart"] and appt["lpuId"] == str(LPU) and appt["patientId"] == pid
    assert appt["specialityRendingConsultation"]["id"] == THERAPIST
    assert appt["doctorRendingConsultation"]["id"] == "cl0101-d01"
    assert appt["patientBirthDate"] == f"{PATIENT['birthDate']}T00:00:00"


def test_a_facade_booking_is_in_our_history_and_cancels_through_our_api(moto_table: str) -> None:
    pid = patient_id()
    slot = free_slots()[0]["id"]
    assert ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot})
    status, page = invoke("history", http_event("GET", "/v1/me/appointments", claims=claims_of(PATIENT)))
    assert status == 200
    (mine,) = page["items"]
    assert mine["status"] == "booked" and mine["patient"]["lastName"] == PATIENT["lastName"]
    policy = {"policyNumber": PATIENT["policyNumber"]}
    status, body = invoke("cancellation", http_event("POST", f"/v1/appointments/{mine['id']}/cancel", policy))
    assert status == 200 and body["appointment"]["status"] == "cancelled"
    assert ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid}) == []
    # ... and one of ours cancels through the façade.
    status, body = invoke("booking", http_event("POST", "/v1/appointments", {
        "slotId": slot, "patient": patient_body(PATIENT)}, headers={"Idempotency-Key": uuid.uuid4().hex}))
    assert status == 201, body
    assert ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot}) is True
    (ours,) = ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid})
    assert ours["appointmentId"] == body["appointment"]["id"]
    assert ok("POST", "/appointment/cancel", {"lpuId": LPU, "patientId": pid, "appointmentId": ours["appointmentId"]})
    status, page = invoke("history", http_event("GET", "/v1/me/appointments", claims=claims_of(PATIENT)))
    assert [a["status"] for a in page["items"]] == ["cancelled", "cancelled"]


def test_a_person_registered_first_through_the_registry_is_found_and_books(moto_table: str) -> None:
    """Issue 19: the registry's first attachment writes the name index in its transaction, so the façade
    finds a newcomer by clinic + full name + birth date and books for them."""
    from tests.handler.helpers import change_event

    newcomer = {"lastName": "Новикова", "firstName": "Алёна", "middleName": "Петровна", "birthDate": "1990-04-04",
                "policyNumber": "7899000000000019"}
    assert refused("GET", "/patient/search", query=search_query(newcomer, lpu=OTHER_LPU)) == wire.PATIENT_NOT_FOUND
    status, body = invoke("registry", change_event(newcomer, "cl0102", "relocation"))
    assert status == 201 and body["attachment"]["previousClinicId"] is None, body
    # Found at the new clinic (ё/е and case as gorzdrav clients type them), nowhere else.
    typed = dict(newcomer, firstName="АЛЕНА")
    pid = str(ok("GET", "/patient/search", query=search_query(typed, lpu=OTHER_LPU)))
    assert refused("GET", "/patient/search", query=search_query(newcomer, lpu=LPU)) == wire.PATIENT_NOT_FOUND
    assert refused("GET", "/patient/search", query=search_query(dict(newcomer, middleName=""),
                                                                 lpu=OTHER_LPU)) == wire.PATIENT_NOT_FOUND
    slot = free_slots("cl0102-d01", OTHER_LPU)[0]["id"]
    assert ok("POST", "/appointment/create", {"lpuId": OTHER_LPU, "patientId": pid, "appointmentId": slot}) is True
    slot_item = dal.get(keys.slot_key(slot))  # type: ignore[arg-type]
    assert slot_item and slot_item["status"] == "booked"
    (appt,) = ok("GET", "/appointments", query={"lpuId": str(OTHER_LPU), "patientId": pid})
    assert appt["lpuId"] == str(OTHER_LPU) and appt["visitStart"]


def test_attachment_lpus(moto_table: str) -> None:
    """The clinic for the policy with its holder's last name and birth date (issue 25: the policy alone is
    an unknown policy's []; tests/handler/test_gorzdrav_identity.py)."""
    holder = {"lastName": PATIENT["lastName"], "birthDate": PATIENT["birthDate"]}
    (found,) = ok("GET", "/oms/attachment/lpus", query={"polisN": PATIENT["policyNumber"], **holder})
    assert_shape(found, LPU_SHAPE)
    assert found["id"] == LPU
    assert ok("GET", "/oms/attachment/lpus", query={"polisn": OLD_STYLE["policyNumber"],
                                                     "poliss": OLD_STYLE["policySeries"],
                                                     "lastname": OLD_STYLE["lastName"],
                                                     "birthdatevalue": OLD_STYLE["birthDate"]})[0]["id"] == LPU
    assert ok("GET", "/oms/attachment/lpus", query={"polisN": PATIENT["policyNumber"]}) == []
    assert ok("GET", "/oms/attachment/lpus", query={"polisN": "1234567890123456", **holder}) == []
    assert ok("GET", "/oms/attachment/lpus", query={"polisN": "not a number"}) == []


def test_get_bodies_are_ignored_and_unknown_paths_answer_json(moto_table: str) -> None:
    event = http_event("GET", f"{B}/shared/districts")
    event["body"] = "{not json"
    from tests.support import Context, load_function

    response = load_function("gorzdrav").handler(event, Context())
    assert response["statusCode"] == 200 and json.loads(response["body"])["success"] is True
    status, answer, headers = call("GET", "/no/such/endpoint")
    assert status == 404 and answer["success"] is False and headers["content-type"].startswith("application/json")
    assert refused("POST", "/appointment/create", "[1, 2]") == wire.INVALID_REQUEST


def test_nothing_personal_in_the_logs(moto_table: str, captured_logs: Any) -> None:
    captured_logs()
    pid = patient_id()
    slot = free_slots()[0]["id"]
    ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot,
                                       "recipientEmail": PATIENT["email"]})
    refused("GET", "/patient/search", query=dict(search_query(PATIENT), birthdate="1901-01-01"))
    ok("GET", "/appointments", query={"lpuId": str(LPU), "patientId": pid})
    logged = captured_logs()
    assert '"message":"appointment booked"' in logged
    assert_clean(logged, PATIENT)
    assert PATIENT["firstName"] not in logged and pid not in logged


def test_every_route_has_a_sample_event_that_answers_in_the_envelope(moto_table: str) -> None:
    from infra import template
    from tests.support import EVENTS, Context, load_function

    samples = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (EVENTS / "gorzdrav").glob("*.json")}
    routes = {f"{r['method']} {r['path']}" for r in template.routes() if r["function"] == "gorzdrav"}
    assert {e["routeKey"] for e in samples.values()} == routes and len(routes) == 15
    for name, event in samples.items():
        response = load_function("gorzdrav").handler(event, Context())
        answer = json.loads(response["body"])
        assert response["statusCode"] == 200, (name, answer)
        assert_shape(answer, ENVELOPE if answer["success"] else ERROR, name)
    # The placeholders are refused as gorzdrav would refuse them, the look-ups answer.
    assert json.loads(load_function("gorzdrav").handler(samples["patient_search"], Context())["body"])["success"]


def test_round_trips_per_request(dynamodb_calls: Any) -> None:
    """What a façade request costs in DynamoDB round trips (as tests/handler/test_round_trips.py counts ours):
    a booking is our booking's one read and one transaction, plus the clinic's id and the new appointment."""
    from collections import Counter

    pid = patient_id()
    slot = free_slots()[0]["id"]
    dynamodb_calls.clear()
    patient_id()
    # The clinic's id, the name's and the clinic's limiter items (before the look-up), the look-up.
    assert dynamodb_calls == Counter({"GetItem": 1, "Query": 1, "BatchGetItem": 2})
    dynamodb_calls.clear()
    free_slots()
    assert dynamodb_calls == Counter({"GetItem": 1, "Query": 1})
    dynamodb_calls.clear()
    assert ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot})
    assert dynamodb_calls == Counter({"GetItem": 2, "BatchGetItem": 1, "TransactWriteItems": 1})
    dynamodb_calls.clear()
    assert ok("POST", "/appointment/create", {"lpuId": LPU, "patientId": pid, "appointmentId": slot})
    # The retry: a replay, no write (its GetItems: the lpu, the appointment as it is now, its status).
    assert dynamodb_calls == Counter({"GetItem": 3, "BatchGetItem": 1})
