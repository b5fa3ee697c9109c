"""A real FHIR client against a started local stack (python -m infra.local.server, DynamoDB Local):
fhirpy walks Organization -> PractitionerRole -> Schedule -> free Slots (prefixes, paging) -> $find -> $hold ->
$book -> the Appointment read -> $cancel, and every resource and Bundle it gets validates as FHIR R4.
Then both faces race for one slot over HTTP: one booking wins."""
from __future__ import annotations

import calendar
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.platform import clock
from tests.fhir_check import fhir_patient, outcome_code, parameters, valid
from tests.support import PATIENTS, LocalStack, local_stack, patient_body

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "test-artifacts" / "fhir-stack.log"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with local_stack(LOG) as started:
        yield started


def _dict(resource: Any) -> dict[str, Any]:
    return resource.serialize() if hasattr(resource, "serialize") else dict(resource)


def test_fhirpy_finds_holds_books_reads_and_cancels(stack: LocalStack) -> None:
    from fhirpy import SyncFHIRClient
    from fhirpy.base.exceptions import ResourceNotFound

    client = SyncFHIRClient(f"{stack.base}/fhir")
    capability = valid(client.execute("metadata", method="get"))
    assert capability["fhirVersion"] == "4.0.1"

    org = client.reference("Organization", "cl0101").to_resource()
    assert valid(_dict(org))["name"]
    roles = client.resources("PractitionerRole").search(organization="Organization/cl0101",
                                                        specialty="therapist").fetch_all()
    assert roles and all(valid(_dict(r))["specialty"][0]["coding"][0]["code"] == "therapist" for r in roles)
    schedule = client.resources("Schedule").search(actor=f"PractitionerRole/{roles[0]['id']}").first()
    valid(_dict(schedule))

    today = clock.local_date(clock.now())
    day1, day3 = (today + timedelta(days=1)).isoformat(), (today + timedelta(days=3)).isoformat()
    query = (client.resources("Slot").search(schedule=f"Schedule/{schedule['id']}", status="free")
             .search(start__ge=day1, start__lt=day3).sort("start").limit(5))
    first_page = valid(_dict(query.fetch_raw()))
    assert any(link["relation"] == "next" for link in first_page["link"])
    everything = query.fetch_all()  # follows the next links
    for s in everything:
        valid(_dict(s))
    starts = [s["start"] for s in everything]
    assert len(everything) == first_page["total"] > 5
    assert [s["id"] for s in everything[:5]] == [e["resource"]["id"] for e in first_page["entry"]]
    assert starts == sorted(starts) and all(day1 <= x[:10] < day3 for x in starts)
    assert {s["status"] for s in everything} == {"free"}

    found = valid(client.execute("Appointment/$find", method="get", params={
        "practitioner": f"Practitioner/{roles[0]['id']}", "start": day1, "end": day1}))
    proposed = found["entry"][0]["resource"]
    assert proposed["status"] == "proposed" and proposed["start"] == starts[0]

    # A hold belongs to a patient, as on our own API: the inline Patient says who.
    owner = next(p for p in PATIENTS if p["clinicId"] == "cl0101" and not p.get("policySeries"))
    held = valid(client.execute("Appointment/$hold", data=parameters(appt_resource=proposed,
                                                                    patient_resource=fhir_patient(owner))))
    pending = held["entry"][0]["resource"]
    assert pending["status"] == "pending"
    slot_id = proposed["slot"][0]["reference"].split("/")[1]
    assert valid(_dict(client.reference("Slot", slot_id).to_resource()))["status"] == "busy-tentative"

    booker = SyncFHIRClient(f"{stack.base}/fhir", extra_headers={"Idempotency-Key": str(uuid.uuid4())})
    booked = valid(booker.execute("Appointment/$book", data=parameters(
        appointment_reference={"reference": f"Appointment/{pending['id']}"}, patient_resource=fhir_patient(owner))))
    appointment = booked["entry"][0]["resource"]
    assert appointment["status"] == "booked"

    token = stack.token(owner["policyNumber"])
    me = SyncFHIRClient(f"{stack.base}/fhir/me", authorization=f"Bearer {token}")
    read = valid(_dict(me.reference("Appointment", appointment["id"]).to_resource()))
    assert read["status"] == "booked" and read["slot"] == proposed["slot"]
    someone = next(p for p in PATIENTS if p["clinicId"] == "cl0101" and p["policyNumber"] != owner["policyNumber"])
    other = SyncFHIRClient(f"{stack.base}/fhir/me", authorization=f"Bearer {stack.token(someone['policyNumber'])}")
    with pytest.raises(ResourceNotFound):
        other.reference("Appointment", appointment["id"]).to_resource()
    # The appointment is in our API's history.
    status, history = stack.call("GET", "/v1/me/appointments", headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and appointment["id"] in [a["id"].replace("_", ".") for a in history["items"]]

    cancelled = valid(me.execute(f"Appointment/{appointment['id']}/$cancel"))
    assert cancelled["status"] == "cancelled"
    assert valid(_dict(client.reference("Slot", slot_id).to_resource()))["status"] == "free"

    # Booked through FHIR (signed in), cancelled through /v1: FHIR sees it cancelled.
    again = SyncFHIRClient(f"{stack.base}/fhir/me", authorization=f"Bearer {token}",
                           extra_headers={"Idempotency-Key": str(uuid.uuid4())})
    second = valid(again.execute("Appointment/$book", data=parameters(appt_resource=proposed)))
    second_id = second["entry"][0]["resource"]["id"]
    status, body = stack.call("POST", f"/v1/me/appointments/{second_id.replace('.', '_')}/cancel",
                              headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and body["appointment"]["status"] == "cancelled"
    assert valid(_dict(me.reference("Appointment", second_id).to_resource()))["status"] == "cancelled"


def _register(stack: LocalStack, people: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Attach `people` to their clinic in the stack's own table (as the demo register does)."""
    from infra.demo import data
    from shared.platform import config, dal

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{stack.ddb_port}")
    monkeypatch.setenv("TABLE_NAME", "zapis-local")
    monkeypatch.setenv("POLICY_HASH_KEY", "local-development-key")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    config.settings.cache_clear()
    dal.reset_client()
    try:
        dal.batch_write(data.register_items(people))
    finally:
        config.settings.cache_clear()
        dal.reset_client()


def test_both_faces_race_for_one_slot(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    people = [{"lastName": "Гонкина", "firstName": "Вера", "middleName": None, "birthDate": f"198{i}-02-0{i + 1}",
               "policyNumber": f"78{99:04d}{i:010d}", "policySeries": None, "clinicId": "cl0101",
               "email": f"race.{i}@example.org"} for i in range(8)]
    _register(stack, people, monkeypatch)
    status, slots = stack.call("GET", "/fhir/Slot?schedule=Schedule/cl0101-d05&status=free&_count=50")
    assert status == 200
    later = [e["resource"]["id"] for e in valid(slots)["entry"]
             if clock.now() + 3600 < calendar.timegm(time.strptime(e["resource"]["id"][-12:], "%Y%m%d%H%M"))]
    slot = later[0]
    go = threading.Event()
    results: list[tuple[str, int, Any]] = []

    def fhir(p: dict[str, Any]) -> None:
        appointment = {"resourceType": "Appointment", "status": "proposed", "slot": [{"reference": f"Slot/{slot}"}],
                       "participant": [{"actor": {"reference": "Practitioner/cl0101-d05"}, "status": "needs-action"}]}
        body = parameters(appointment_resource=appointment, patient_resource=fhir_patient(p))
        go.wait()
        results.append(("fhir", *stack.call("POST", "/fhir/Appointment/$book", body, {
            "Content-Type": "application/fhir+json", "Idempotency-Key": str(uuid.uuid4())})))

    def v1(p: dict[str, Any]) -> None:
        go.wait()
        results.append(("v1", *stack.call("POST", "/v1/appointments", {"slotId": slot, "patient": patient_body(p)},
                                          {"Idempotency-Key": str(uuid.uuid4())})))

    threads = [threading.Thread(target=fhir if i % 2 else v1, args=(p,)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == len(people)
    won = [r for r in results if r[1] == 201]
    assert len(won) == 1, Counter((face, status) for face, status, _ in results)
    for face, status, body in results:
        if status == 201:
            continue
        assert status == 409
        code = outcome_code(body)[1] if face == "fhir" else body["error"]["code"]
        assert code == "slot_unavailable"
    status, read = stack.call("GET", f"/fhir/Slot/{slot}")
    assert valid(read)["status"] == "busy"
