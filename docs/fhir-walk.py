"""FHIR, step by step, against the local stack (`make run`): find a therapist's free slots, book one with an
inline Patient, cancel it by the OMS policy. docs/fhir.md shows this file and tests/browser/test_docs_scripts.py
runs it (B=http://127.0.0.1:<port> for another port; needs fhirpy, which requirements-dev.txt installs)."""
# --8<-- the docs show what follows
import os
import uuid
from datetime import date, timedelta

from fhirpy import SyncFHIRClient  # pip install fhirpy

B = os.environ.get("B", "http://127.0.0.1:3000")
tomorrow = date.today() + timedelta(days=1)
fhir = SyncFHIRClient(f"{B}/fhir")
role = fhir.resources("PractitionerRole").search(organization="Organization/cl0101", specialty="therapist").first()
schedule = fhir.resources("Schedule").search(actor=f"PractitionerRole/{role.id}").first()
slots = (fhir.resources("Slot").search(schedule=f"Schedule/{schedule.id}", status="free")
         .search(start__ge=tomorrow.isoformat(), start__lt=(tomorrow + timedelta(days=2)).isoformat()).sort("start").limit(20).fetch_all())
patient = {"resourceType": "Patient",
           "identifier": [{"system": "https://zapis.example.org/fhir/sid/oms-policy", "value": "7800000101000000"}],
           "name": [{"family": "Морозов", "given": ["Михаил", "Иванович"]}], "birthDate": "1978-06-02",
           "telecom": [{"system": "email", "value": "mikhail.morozov.1010@example.org"}]}
# $book needs an Idempotency-Key, one per booking (the same key again answers the same appointment)
booker = SyncFHIRClient(f"{B}/fhir", extra_headers={"Idempotency-Key": str(uuid.uuid4())})
booked = booker.execute("Appointment/$book", data={"resourceType": "Parameters", "parameter": [
    {"name": "appointment-resource", "resource": {"resourceType": "Appointment", "status": "proposed",
        "slot": [{"reference": f"Slot/{slots[0].id}"}],
        "participant": [{"actor": {"reference": f"Practitioner/{role.id}"}, "status": "needs-action"}]}},
    {"name": "patient-resource", "resource": patient}]})
appointment = booked["entry"][0]["resource"]
print(appointment["id"], appointment["status"])
# cancel it on the open base: the Patient with the OMS policy says whose it is
cancelled = fhir.execute(f"Appointment/{appointment['id']}/$cancel", data={
    "resourceType": "Parameters", "parameter": [{"name": "patient", "resource": patient}]})
print(cancelled["id"], cancelled["status"])
