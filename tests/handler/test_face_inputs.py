"""Bad input on every face (issue 25, point 4): the same input rules (shared/faces/request_limits.py) hold for /v1,
gorzdrav and FHIR, and each face answers a refusal in its own wire shape, never a 5xx or a Python exception.

Each face is a `Face`: how it is called, its POST routes with a valid body, the date-taking parameters of its
GETs and what a refusal looks like on its wire. A new face is covered by adding it to FACES. Every test sends
each class of bad input to every route of the face:
- bodies: 20 KB, JSON nested 1,000 deep, a number of 400 digits, NaN, text that is not JSON, a wrong
  Content-Type;
- wrong JSON types in each field of each body (a string where an object or a list is, an object or a list
  where a string is, a number, null);
- dates at the calendar's ends (9999-12-31, 0001-01-01, ge9999-12-31) in each date-taking parameter;
- odd values ("²", 5,000 digits, "..", "%00", ...) in path ids and in query parameters.
A refusal is the face's own: /v1 and FHIR a 4xx (our error body, an OperationOutcome); gorzdrav its envelope,
with HTTP 413, 415 or 400 for a body it cannot read and, as gorzdrav, HTTP 200 for a value it refuses.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from shared.faces.gorzdrav import wire
from shared.platform.errors import CATALOGUE
from tests.fhir_check import fhir_patient, parameters
from tests.handler.helpers import free_slots
from tests.support import Context, claims_of, event_file, http_event, load_function, patients_of

PATIENT = patients_of("cl0101")[0]
OMS = "https://zapis.example.org/fhir/sid/oms-policy"
UNKNOWN_APPOINTMENT = "abcdefghijklmnopqrstuvwx"  # 24 letters: the shape of our appointment ids
EXTREME_DATES = ("9999-12-31", "0001-01-01", "ge9999-12-31")

# The bodies every face refuses before reading them: (what, body, Content-Type or None for the face's own,
# the contract's code).
BAD_BODIES: list[tuple[str, str, str | None, str]] = [
    ("20 KB", json.dumps({"x": "a" * 20_000}), None, "payload_too_large"),
    ("nested 1,000 deep", "[" * 1000 + "]" * 1000, None, "validation_error"),
    ("nested objects", '{"a":' * 1000 + "1" + "}" * 1000, None, "validation_error"),
    ("400 digits", '{"a": ' + "9" * 400 + "}", None, "validation_error"),
    ("NaN", '{"a": NaN}', None, "validation_error"),
    ("not JSON", "hello, world", None, "validation_error"),
    ("wrong Content-Type", "{}", "text/plain", "unsupported_media_type"),
]


@dataclass
class World:
    """What valid bodies need from the seeded table: a free slot and the demo patient in each face's terms."""

    slot: str
    gorzdrav_patient_id: str
    claims: dict[str, str]


@dataclass(frozen=True)
class Post:
    """One POST route and a valid body for it. `reads_body` False: the route ignores its body, so any answer in
    the face's shape does."""

    path: str
    body: Callable[[World], Any]
    headers: dict[str, str] = field(default_factory=dict)
    event: str | None = None  # a sample event (route key, authorizer) whose body is replaced
    reads_body: bool = True
    # Fields the face does not read, or reads as absent when it cannot use them (gorzdrav's tolerance).
    tolerated: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Dated:
    """A GET taking a date: its query with "{date}" where the date goes, and the contract's code of the refusal
    (None: any refusal). `refused` False: the face reads a date it cannot use as absent (gorzdrav's tolerance),
    so any answer in its shape does."""

    path: str
    query: dict[str, str]
    code: str | None = "validation_error"
    refused: bool = True
    event: str | None = None  # a sample event (route key, authorizer) whose query is replaced


@dataclass(frozen=True)
class Face:
    name: str
    function: str
    content_type: str
    posts: tuple[Post, ...]
    dated: tuple[Dated, ...]
    odd: tuple[tuple[str, dict[str, str]], ...]  # GETs with "{odd}" in the path or a query value
    signed_in: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    null_is_absent: bool = True  # JSON null reads as an absent (maybe optional) field; FHIR has no nulls

    def call(self, world: World, method: str, path: str, body: str | None = None, *,
             query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
             event: str | None = None) -> tuple[int, Any, dict[str, str]]:
        """One request, as API Gateway sends it: a sample event (its route, its authorizer) with this body and
        query, or an event built for `method path`. Never a 5xx."""
        if event is not None:
            built = copy.deepcopy(event_file(event))
            built["headers"] = {k: v for k, v in built.get("headers", {}).items() if k != "content-type"}
            method, path = built["requestContext"]["http"]["method"], built["rawPath"]
        else:
            built = http_event(method, path, claims=world.claims if self.signed_in else None)
        if query is not None:
            built["queryStringParameters"], built["rawQueryString"] = dict(query), urlencode(query)
        built["headers"].update({**self.headers, **(headers or {})})
        built["body"] = body
        built["isBase64Encoded"] = False
        response = load_function(self.function or _function_of(method, path)).handler(built, Context())
        out_headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        status = response["statusCode"]
        assert status < 500, (self.name, method, path, status, response.get("body"))
        raw = response.get("body")
        return status, json.loads(raw) if raw else None, out_headers

    def refused(self, status: int, body: Any, headers: dict[str, str], code: str | None = None,
                unread: bool = False) -> None:
        """A refusal in this face's shape; with `code`, the contract's refusal of that code (`unread`: of a body
        the input rules refused before it was read)."""
        raise NotImplementedError

    def answered(self, status: int, body: Any, headers: dict[str, str]) -> None:
        """Any answer in this face's shape (a success, or a refusal)."""
        if status >= 400:
            self.refused(status, body, headers)

    def limits_refused(self, status: int, body: Any) -> bool:
        """Whether the input rules refused the body (413, 415, or a 422 naming the body itself)."""
        return status in (413, 415) or (status == 422 and '"body"' in json.dumps(body))


class V1(Face):
    def refused(self, status: int, body: Any, headers: dict[str, str], code: str | None = None,
                unread: bool = False) -> None:
        assert 400 <= status < 500, (status, body)
        assert isinstance(body, dict) and set(body) == {"error"}, body
        assert body["error"]["code"] in CATALOGUE and body["error"]["message"], body
        if code is not None:
            assert (status, body["error"]["code"]) == (CATALOGUE[code][0], code), body


class Gorzdrav(Face):
    """gorzdrav's envelope: a business refusal is HTTP 200 with success false (as gorzdrav's); a body the input
    rules refuse is not read at all: 908 with HTTP 413, 415 or 400. Never 660, the "something went wrong" of an
    overload."""

    def refused(self, status: int, body: Any, headers: dict[str, str], code: str | None = None,
                unread: bool = False) -> None:
        assert status == 200 or 400 <= status < 500, (status, body)
        assert headers["content-type"].startswith("application/json")
        assert set(body) == {"success", "errorCode", "message", "stackTrace", "requestId"}, body
        assert body["success"] is False and body["errorCode"] != wire.SOMETHING_WRONG, body
        assert body["message"] == wire.MESSAGES[body["errorCode"]]
        if code is not None:
            wanted = wire.UNREAD_STATUS[code] if unread else 200
            assert (status, body["errorCode"]) == (wanted, wire.INVALID_REQUEST), body

    def limits_refused(self, status: int, body: Any) -> bool:
        return status >= 400 or body.get("errorCode") == wire.INVALID_REQUEST

    def answered(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if body.get("success") is True:
            assert status == 200 and body["errorCode"] == 0, body
        else:
            self.refused(status, body, headers)


class Fhir(Face):
    def refused(self, status: int, body: Any, headers: dict[str, str], code: str | None = None,
                unread: bool = False) -> None:
        assert 400 <= status < 500, (status, body)
        assert headers["content-type"].startswith("application/fhir+json")
        assert body["resourceType"] == "OperationOutcome", body
        (issue,) = body["issue"]
        (coding,) = issue["details"]["coding"]
        assert coding["code"] in CATALOGUE and issue["severity"] == "error", body
        if code is not None:
            assert (status, coding["code"]) == (CATALOGUE[code][0], code), body


# ---------------------------------------------------------------- the faces
def _v1_post(sample: str) -> Post:
    event = event_file(sample)
    return Post(event["rawPath"], lambda _: json.loads(event["body"]), event=sample)


V1_FACE = V1(
    name="v1", function="", content_type="application/json",
    posts=tuple(_v1_post(s) for s in (
        "booking/create_hold.json", "booking/create_hold_signed_in.json", "booking/book_anonymous.json",
        "booking/book_signed_in.json", "booking/reschedule_anonymous.json", "booking/reschedule_signed_in.json",
        "cancellation/cancel_anonymous_series.json", "cancellation/reminders_off.json", "history/search.json",
        "history/referral_lookup.json", "lookup/attachment_lookup.json", "registry/change_choice.json",
        "registry/clinic_absence_preview.json", "registry/clinic_attendance.json", "registry/clinic_doctor_put.json",
        "registry/referral_issue.json", "waitlist/join.json", "waitlist/leave.json")),
    dated=(Dated("/v1/doctors/cl0101-d01/slots", {"from": "{date}"}),
           Dated("/v1/doctors/cl0101-d01/slots", {"to": "{date}"}),
           Dated("/v1/registry/clinics/cl0101/appointments", {"date": "{date}"},
                 event="registry/clinic_day_list.json")),
    odd=(("/v1/clinics/{odd}", {}), ("/v1/clinics/{odd}/specialties", {}), ("/v1/doctors/{odd}/slots", {}),
         ("/v1/districts/{odd}/clinics", {}), ("/v1/appointments/{odd}", {"t": "{odd}"}),
         ("/v1/addresses/clinics", {"street": "{odd}", "house": "{odd}"}), ("/v1/waitlist/{odd}", {"t": "{odd}"})),
)

GZ = "/_api/api/v2"
GORZDRAV = Gorzdrav(
    name="gorzdrav", function="gorzdrav", content_type="application/json",
    posts=(
        Post(f"{GZ}/appointment/create", lambda w: {"lpuId": 111, "patientId": w.gorzdrav_patient_id,
                                                     "appointmentId": w.slot, "recipientEmail": PATIENT["email"]},
             tolerated=frozenset({"recipientEmail"})),
        Post(f"{GZ}/appointment/cancel", lambda w: {"lpuId": 111, "patientId": w.gorzdrav_patient_id,
                                                     "appointmentId": UNKNOWN_APPOINTMENT, "esiaId": None},
             tolerated=frozenset({"lpuId", "esiaId"})),  # cancel reads the patient and the appointment only
        Post(f"{GZ}/patient/update", lambda w: {"lpuId": 111, "patientId": w.gorzdrav_patient_id,
                                                 "mobilePhoneNumber": "9110000000"},
             tolerated=frozenset({"mobilePhoneNumber"})),  # accepted, never kept
    ),
    dated=(
        Dated(f"{GZ}/patient/search", {"lpuId": "111", "lastName": PATIENT["lastName"],
                                       "firstName": PATIENT["firstName"], "birthdate": "{date}"}),
        Dated(f"{GZ}/patient/search", {"lpuId": "111", "lastName": PATIENT["lastName"],
                                       "firstName": PATIENT["firstName"], "birthdateValue": "{date}"}),
        # An unreadable birth date is as absent here (gorzdrav's clients send the policy alone): not refused.
        Dated(f"{GZ}/oms/attachment/lpus", {"polisN": PATIENT["policyNumber"], "lastName": PATIENT["lastName"],
                                            "birthdate": "{date}"}, refused=False),
    ),
    odd=((f"{GZ}/shared/lpu/{{odd}}", {}), (f"{GZ}/shared/district/{{odd}}/lpus", {}),
         (f"{GZ}/schedule/lpu/{{odd}}/specialties", {}), (f"{GZ}/schedule/lpu/111/doctor/{{odd}}/timetable", {}),
         (f"{GZ}/schedule/lpu/{{odd}}/doctor/cl0101-d01/appointments", {}),
         (f"{GZ}/schedule/lpu/111/speciality/{{odd}}/doctors", {}), (f"{GZ}/referral/{{odd}}", {}),
         (f"{GZ}/appointments", {"lpuId": "{odd}", "patientId": "{odd}"}),
         (f"{GZ}/patient/search", {"lpuId": "{odd}", "lastName": "{odd}", "firstName": "{odd}", "birthdate": "{odd}"}),
         (f"{GZ}/oms/attachment/lpus", {"polisN": "{odd}", "lastName": "{odd}", "birthdate": "{odd}"})),
)


def _appointment(w: World) -> dict[str, Any]:
    return {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{w.slot}"}],
            "participant": [{"actor": {"reference": "Practitioner/cl0101-d01"}, "status": "needs-action"}]}


def _fhir(base: str, signed_in: bool) -> Fhir:
    # Signed in, the token says who the patient is: of an inline Patient only the email is read.
    unread = frozenset({"birthDate"}) if signed_in else frozenset()
    cancel = parameters(patient=fhir_patient(PATIENT))
    cancel["parameter"].append({"name": "identifier", "valueIdentifier": {"system": OMS,
                                                                          "value": PATIENT["policyNumber"]}})
    return Fhir(
        name=base.strip("/").replace("/", "-"), function="fhir", content_type="application/fhir+json",
        signed_in=signed_in, null_is_absent=False,
        headers={"host": "fhir.example.test"},
        posts=(
            Post(f"{base}/Appointment/$find", lambda w: {"resourceType": "Parameters", "parameter": [
                {"name": "practitioner", "valueReference": {"reference": "Practitioner/cl0101-d01"}},
                {"name": "start", "valueDate": "2026-01-01"}, {"name": "_count", "valueInteger": 3}]}),
            Post(f"{base}/Appointment/$hold", lambda w: parameters(appointment_resource=_appointment(w),
                                                                  patient_resource=fhir_patient(PATIENT)),
                 tolerated=unread),
            Post(f"{base}/Appointment/$book", lambda w: parameters(appointment_resource=_appointment(w),
                                                                  patient_resource=fhir_patient(PATIENT)),
                 headers={"idempotency-key": "face-inputs-0001"}, tolerated=unread),
            # The signed-in cancellation is the token's patient's: its body is not read.
            Post(f"{base}/Appointment/{UNKNOWN_APPOINTMENT}/$cancel", lambda w: cancel, reads_body=not signed_in),
        ),
        dated=(Dated(f"{base}/Slot", {"schedule": "Schedule/cl0101-d01", "start": "{date}"}),
               Dated(f"{base}/Slot", {"schedule": "Schedule/cl0101-d01", "start": "le{date}"}),
               Dated(f"{base}/Appointment/$find", {"practitioner": "Practitioner/cl0101-d01", "start": "{date}"}),
               Dated(f"{base}/Appointment/$find", {"practitioner": "Practitioner/cl0101-d01", "end": "{date}"}),
               Dated(f"{base}/Appointment", {"date": "{date}"}, code=None)),  # no Appointment search: 404
        odd=((f"{base}/Organization/{{odd}}", {}), (f"{base}/Slot/{{odd}}", {}), (f"{base}/Schedule/{{odd}}", {}),
             (f"{base}/HealthcareService/{{odd}}", {}), (f"{base}/Appointment/{{odd}}", {}), (f"{base}/{{odd}}", {}),
             (f"{base}/Slot", {"schedule": "Schedule/cl0101-d01", "_count": "{odd}"}),
             (f"{base}/Slot", {"schedule": "Schedule/{odd}", "page-token": "{odd}", "status": "{odd}"}),
             (f"{base}/Organization", {"name": "{odd}", "_id": "{odd}"}),
             (f"{base}/Appointment/$find", {"practitioner": "Practitioner/cl0101-d01", "_count": "{odd}"}),
             (f"{base}/Appointment/$find", {"practitioner": "{odd}", "specialty": "{odd}", "organization": "{odd}"})),
    )


FACES = {f.name: f for f in (V1_FACE, GORZDRAV, _fhir("/fhir", False), _fhir("/fhir/me", True))}


def _function_of(method: str, path: str) -> str:
    """/v1's routes live in several functions: the one template.yaml routes `method path` to."""
    from infra.local.events import match_route

    matched = match_route(method, path)
    assert matched, (method, path)
    return str(matched[0]["function"])


@pytest.fixture(params=sorted(FACES))
def face(request: pytest.FixtureRequest) -> Face:
    return FACES[request.param]


@pytest.fixture
def world(moto_table: str) -> World:
    slot = free_slots("cl0101-d01", later_than=3600)[0]
    query = {"lpuId": "111", "lastName": PATIENT["lastName"], "firstName": PATIENT["firstName"],
             "middleName": PATIENT["middleName"] or "", "birthdate": PATIENT["birthDate"]}
    response = load_function("gorzdrav").handler(http_event("GET", f"{GZ}/patient/search", query=query), Context())
    found = json.loads(response["body"])
    assert found["success"], found
    return World(slot=slot, gorzdrav_patient_id=found["result"], claims=claims_of(PATIENT))


def send(face: Face, world: World, post: Post, body: str,
         content_type: str | None = None) -> tuple[int, Any, dict[str, str]]:
    return face.call(world, "POST", post.path, body, event=post.event,
                     headers={"content-type": content_type or face.content_type, **post.headers})


# ---------------------------------------------------------------- bodies
def test_bad_bodies_are_refused_before_they_are_read(face: Face, world: World) -> None:
    for post in face.posts:
        for what, body, content_type, code in BAD_BODIES:
            status, answer, headers = send(face, world, post, body, content_type)
            try:
                face.refused(status, answer, headers, code, unread=True)
            except AssertionError as exc:
                raise AssertionError(f"{face.name} {post.path} {what}: {exc}") from None


def test_the_valid_bodies_are_read(face: Face, world: World) -> None:
    """The guard of the tests below: each route's valid body passes the input rules, whatever it then answers."""
    for post in face.posts:
        status, answer, headers = send(face, world, post, json.dumps(post.body(world), ensure_ascii=False))
        face.answered(status, answer, headers)
        assert not face.limits_refused(status, answer), (face.name, post.path, answer)


# ---------------------------------------------------------------- wrong JSON types in each field
_WRONG: dict[type, tuple[Any, ...]] = {
    str: ({"x": "y"}, ["x"], 7),
    dict: ("x", ["x"], 7),
    list: ("x", {"x": "y"}, 7),
    int: ("x", {"x": "y"}, ["x"]),
    float: ("x", {"x": "y"}, ["x"]),
    bool: ("x", {"x": "y"}, 7),
}


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every element of a JSON value by its path (keys and list indexes), the value itself excluded."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield (*at, key), child
        yield from _paths(child, (*at, key))


def _with(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return out


def test_wrong_json_types_in_each_field(face: Face, world: World) -> None:
    for post in face.posts:
        valid = post.body(world)
        for path, original in _paths(valid):
            name = str(path[-1])
            for wrong in (*_WRONG.get(type(original), ("x",)), None):
                status, answer, headers = send(face, world, post, json.dumps(_with(valid, path, wrong)))
                where = f"{face.name} {post.path} {'.'.join(map(str, path))}={json.dumps(wrong)}"
                try:
                    if (wrong is None and face.null_is_absent) or name in post.tolerated or not post.reads_body:
                        face.answered(status, answer, headers)
                    elif isinstance(face, Gorzdrav):
                        face.refused(status, answer, headers)  # gorzdrav's refusal of the value (907, 900, 901...)
                    else:
                        face.refused(status, answer, headers, "validation_error")
                except AssertionError as exc:
                    raise AssertionError(f"{where}: {exc}") from None


def test_dates_at_the_calendars_ends_in_bodies(face: Face, world: World) -> None:
    """Each body field holding a date, moved to the calendar's ends: never an overflow."""
    for post in face.posts:
        valid = post.body(world)
        for path, original in _paths(valid):
            if not (isinstance(original, str) and len(original) >= 10 and original[4] == "-" and original[7] == "-"
                    and original[:4].isdigit()):
                continue
            for extreme in EXTREME_DATES:
                status, answer, headers = send(face, world, post, json.dumps(_with(valid, path, extreme)))
                try:
                    if path[-1] in post.tolerated:
                        face.answered(status, answer, headers)
                    else:
                        face.refused(status, answer, headers)
                except AssertionError as exc:
                    raise AssertionError(f"{face.name} {post.path} {path}={extreme}: {exc}") from None


# ---------------------------------------------------------------- dates in queries, odd values
def test_dates_at_the_calendars_ends_in_queries(face: Face, world: World) -> None:
    for dated in face.dated:
        for extreme in EXTREME_DATES:
            asked = {k: v.replace("{date}", extreme) for k, v in dated.query.items()}
            status, answer, headers = face.call(world, "GET", dated.path, query=asked, event=dated.event)
            try:
                if dated.refused:
                    face.refused(status, answer, headers, dated.code)
                else:
                    face.answered(status, answer, headers)
            except AssertionError as exc:
                raise AssertionError(f"{face.name} {dated.path} {asked}: {exc}") from None


ODD = ("²", "٣", "9" * 5000, "a" * 600, "ж" * 100, "..", "%00", "%FF", "a b", "$cancel", "-1", "0")


def test_odd_values_in_paths_and_queries(face: Face, world: World) -> None:
    for template, query in face.odd:
        for odd in ODD:
            path = template.replace("{odd}", odd if "%" in odd else quote(odd, safe="$"))
            asked = {k: v.replace("{odd}", odd) for k, v in query.items()}
            status, answer, headers = face.call(world, "GET", path, query=asked or None)
            try:
                face.answered(status, answer, headers)
            except AssertionError as exc:
                raise AssertionError(f"{face.name} {path[:80]} {str(asked)[:80]}: {exc}") from None
