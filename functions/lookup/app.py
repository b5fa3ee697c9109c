"""Lookup function: the GET routes of the contract - districts, clinics, specialties, doctors, free slots."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import api, lookup
from shared.models import Clinic, ClinicSummary, District, Doctor, Items, Slot, Specialty
from shared.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.get("/v1/districts", tags=["lookup"], summary="St. Petersburg's districts")
def list_districts() -> Items[District]:
    return Items[District](items=lookup.districts(api.lang(app)))  # type: ignore[arg-type]


@app.get("/v1/districts/<districtId>/clinics", tags=["lookup"], summary="Polyclinics of a district")
def list_clinics(districtId: str) -> Items[ClinicSummary]:  # noqa: N803 - the contract's name
    return Items[ClinicSummary](items=lookup.district_clinics(districtId, api.lang(app)))  # type: ignore[arg-type]


@app.get("/v1/clinics/<clinicId>", tags=["lookup"], summary="One polyclinic")
def get_clinic(clinicId: str) -> Clinic:  # noqa: N803
    return Clinic(**lookup.clinic(clinicId, api.lang(app)))


@app.get("/v1/clinics/<clinicId>/specialties", tags=["lookup"],
         summary="Specialties of a polyclinic with free slots and the nearest one")
def list_specialties(clinicId: str) -> Items[Specialty]:  # noqa: N803
    return Items[Specialty](items=lookup.clinic_specialties(clinicId, api.lang(app)))  # type: ignore[arg-type]


@app.get("/v1/clinics/<clinicId>/specialties/<specialtyId>/doctors", tags=["lookup"],
         summary="Doctors of a specialty with free slots and the nearest one")
def list_doctors(clinicId: str, specialtyId: str) -> Items[Doctor]:  # noqa: N803
    return Items[Doctor](items=lookup.specialty_doctors(clinicId, specialtyId, api.lang(app)))  # type: ignore[arg-type]


@app.get("/v1/doctors/<doctorId>/slots", tags=["lookup"],
         summary="A doctor's free slots between two dates (clinic's local dates, at most 31 days)")
def list_slots(
    doctorId: str,  # noqa: N803
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Items[Slot]:
    return Items[Slot](items=lookup.doctor_slots(doctorId, from_, to))  # type: ignore[arg-type]


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
