"""vispar-tech/gorzdrav_autoappointments' API client (MIT, not ours, strict pydantic models), unchanged,
walks the façade of a started local stack: districts -> lpus -> lpus of a district -> specialties ->
doctors -> free slots -> patient search -> create -> the patient's appointments -> a second booking of the
same specialty refused with 751 -> attachment look-up. The booking is then one of ours: found by our own
API's search.

The attachment look-up (issue 25): the policy alone - all `get_attachments` sends - answers an unknown
policy's `[]`; the clinic comes with the holder's last name and birth date, which the client sends through
its own transport (`_request`, the call `get_attachments` makes, with two more query parameters) and reads
with its own model (`AttachmentsResponse`)."""
from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

from tests.support import patients_of

LPU = 111  # cl0101 (infra/demo/gorzdrav_ids.json)
THERAPIST = "4"


async def _walk(base: str, patient: dict[str, Any]) -> dict[str, Any]:
    import bot.api.client as client_module
    from bot.api.client import GorzdravAPIClient, GorzdravAPIError
    from bot.api.constants import ENDPOINTS
    from bot.api.models import AppointmentCreateRequest, AttachmentsResponse

    client_module.BASE_URL = base + "/"  # bound by `from ... import` in the client: set it after import
    seen: dict[str, Any] = {}
    async with GorzdravAPIClient(timeout=60) as api:
        districts = (await api.get_districts()).result
        assert [d.id for d in districts] == [str(n) for n in range(1, 19)]
        all_lpus = (await api.get_all_lpus()).result
        assert len(all_lpus) == 54 and all(lpu.is_active for lpu in all_lpus)  # 18 districts x 3 (issue 29)
        in_district = (await api.get_lpus_by_district(1)).result
        lpu = next(lpu for lpu in in_district if lpu.id == LPU)
        assert lpu.district_name == "Адмиралтейский"
        assert (await api.get_lpu_by_id(LPU)) is not None

        specialties = (await api.get_specialists(lpu.id)).result
        therapist = next(s for s in specialties if s.id == THERAPIST)
        assert therapist.count_free_ticket > 0 and therapist.nearest_date is not None
        doctors = (await api.get_doctors(lpu.id, therapist.id)).result
        doctor = next(d for d in doctors if d.free_ticket_count > 0)
        slots = (await api.get_appointments(lpu.id, doctor.id)).result
        # Counted a moment apart on a live stack (the demo's later days load in the background, the daily
        # job runs): both answers agree that there is free time.
        assert slots and doctor.free_ticket_count > 0

        born = date.fromisoformat(patient["birthDate"])
        found = await api.search_patient(lpu.id, patient["lastName"], patient["firstName"], patient["middleName"],
                                         born.isoformat())
        assert found.success and found.result
        patient_id = found.result

        def request(slot: Any) -> Any:
            return AppointmentCreateRequest(
                lpu_id=lpu.id, patient_id=patient_id, appointment_id=slot.id,
                patient_last_name=patient["lastName"], patient_first_name=patient["firstName"],
                patient_middle_name=patient["middleName"], patient_birthdate=born.isoformat(), room=slot.room,
                address=slot.address, visit_date=slot.visit_start.isoformat(), recipient_email=patient["email"])

        created = await api.create_appointment(request(slots[0]))
        assert created.success and created.error_code == 0
        mine = (await api.get_patient_appointments(lpu.id, patient_id)).result
        assert len(mine) == 1 and mine[0].visit_start == slots[0].visit_start
        assert mine[0].speciality_rending_consultation is not None
        assert mine[0].speciality_rending_consultation.id == THERAPIST
        seen["appointmentId"] = mine[0].appointment_id

        try:
            await api.create_appointment(request(slots[1]))
        except GorzdravAPIError as refused:
            seen["second"] = (refused.error_code, refused.message)
        else:
            seen["second"] = (0, "booked twice")

        alone = (await api.get_attachments(polis_n=patient["policyNumber"])).result
        assert alone == []  # the policy alone: an unknown policy's answer
        with_holder = await api._request("GET", ENDPOINTS["attachments"], params={
            "polisN": patient["policyNumber"], "lastName": patient["lastName"], "birthDate": born.isoformat()})
        attached = AttachmentsResponse(**with_holder).result
        assert [a.id for a in attached] == [LPU]
    return seen


def test_vispar_client_walks_the_facade(gorzdrav_client: Path, local_stack: str) -> None:
    patient = patients_of("cl0101")[0]
    seen = asyncio.run(_walk(local_stack, patient))
    assert seen["second"] == (751, "Запись к врачу возможна при отсутствии активной записи к аналогичному специалисту")
    # The booking is one of ours: our own API's anonymous search finds it.
    body = json.dumps({"policyNumber": patient["policyNumber"], "lastName": patient["lastName"],
                       "birthDate": patient["birthDate"]}).encode()
    request = urllib.request.Request(f"{local_stack}/v1/appointments/search", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as res:
        items = json.loads(res.read())["items"]
    assert [a["id"] for a in items] == [seen["appointmentId"]]
