"""Lookup function: the read-only routes - districts, clinics, specialties, doctors, free slots, the address
register and the attachment look-ups."""
from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalogue import lookup
from shared.faces.http import APIGatewayHttpResolver, Query
from shared.faces.people import SaneDate
from shared.faces.v1 import api
from shared.faces.v1.catalogue_models import (
    AddressClinics,
    AttachmentLookupRequest,
    AttachmentOut,
    Clinic,
    ClinicSummary,
    District,
    Doctor,
    DoctorSlots,
    MyAttachmentOut,
    Specialty,
)
from shared.faces.v1.models import Items
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.get("/v1/districts", tags=["lookup"], operation_id="listDistricts", summary="St. Petersburg's districts")
def list_districts() -> Items[District]:
    return Items[District].model_validate({"items": lookup.districts(api.lang(app))})


@app.get("/v1/districts/<districtId>/clinics", tags=["lookup"], operation_id="listDistrictClinics",
         summary="Polyclinics of a district")
def list_clinics(districtId: str) -> Items[ClinicSummary]:  # noqa: N803 - the contract's name
    return Items[ClinicSummary].model_validate({"items": lookup.district_clinics(districtId, api.lang(app))})


@app.get("/v1/clinics/<clinicId>", tags=["lookup"], operation_id="getClinic", summary="One polyclinic")
def get_clinic(clinicId: str) -> Clinic:  # noqa: N803
    return Clinic(**lookup.clinic(clinicId, api.lang(app)))


@app.get("/v1/clinics/<clinicId>/specialties", tags=["lookup"], operation_id="listClinicSpecialties",
         summary="Specialties of a polyclinic with free slots and the nearest one")
def list_specialties(clinicId: str) -> Items[Specialty]:  # noqa: N803
    return Items[Specialty].model_validate({"items": lookup.clinic_specialties(clinicId, api.lang(app))})


@app.get("/v1/clinics/<clinicId>/specialties/<specialtyId>/doctors", tags=["lookup"],
         operation_id="listSpecialtyDoctors",
         summary="Doctors of a specialty with free slots and the nearest one")
def list_doctors(clinicId: str, specialtyId: str) -> Items[Doctor]:  # noqa: N803
    return Items[Doctor].model_validate({"items": lookup.specialty_doctors(clinicId, specialtyId, api.lang(app))})


@app.get("/v1/doctors/<doctorId>/slots", tags=["lookup"], operation_id="listDoctorSlots",
         summary="A doctor's free slots between two dates (clinic's local dates, at most 31 days; by default "
                 "the booking window's days), and the booking window's first and last day")
def list_slots(
    doctorId: str,  # noqa: N803
    from_: Annotated[SaneDate | None, Query(alias="from")] = None,
    to: Annotated[SaneDate | None, Query()] = None,
) -> DoctorSlots:
    return DoctorSlots.model_validate(lookup.doctor_slots_page(doctorId, from_, to))


@app.get("/v1/addresses/clinics", tags=["attachment"], operation_id="findAddressClinics",
         openapi_extensions=api.errors("address_not_found"),
         summary="Polyclinics serving an address (street and house as people type them, or the whole address in "
                 "`street`), or the candidate streets to choose from; an unknown street gets the nearest names")
def address_clinics(
    street: Annotated[str, Query(min_length=1, max_length=120,
                                 description="e.g. ул. Садовая, Садовая улица; or the whole address: Невский 28")],
    house: Annotated[str | None, Query(
        max_length=40, description="e.g. 5, 5к2, д. 5, корп. 2, 5 лит. А; omitted if `street` holds the whole address",
    )] = None,
    districtId: Annotated[str | None, Query(max_length=40, description="district of the chosen candidate")] = None,  # noqa: N803
) -> AddressClinics:
    # Loaded by the routes that use them: the slot look-up's cold start stays small.
    from shared.catalogue import addresses, street_suggest
    from shared.platform.errors import DomainError

    if house is None or not house.strip():
        whole = street_suggest.split_address(street)
        if whole is None:
            raise DomainError("validation_error", {"fields": [{"field": "house", "problem": "house_missing"}]})
        street, house = whole
    try:
        return AddressClinics(**addresses.clinics_for_address(street, house, districtId, api.lang(app)))
    except DomainError as refused:
        if refused.code == "address_not_found":
            refused.detail = {**refused.detail, "street": street, "house": house}
            if refused.detail.get("reason") == "street":
                refused.detail["suggestions"] = street_suggest.suggest(street, api.lang(app))
        raise


@app.post("/v1/attachment/lookup", tags=["attachment"], operation_id="lookUpAttachment",
          openapi_extensions=api.errors("attachment_not_found"),
          summary="The polyclinic a policy is attached to and since when (POST keeps the policy out of URLs)")
def attachment_lookup(request: AttachmentLookupRequest) -> AttachmentOut:
    from shared.faces import auth
    from shared.patients import attachment

    return AttachmentOut(**attachment.attachment_of(auth.identity(request), api.lang(app)))


@app.get("/v1/me/attachment", tags=["attachment"], operation_id="getMyAttachment",
         openapi_extensions=api.errors("attachment_not_found"),
         summary="The signed-in patient's polyclinic and from which date a change by choice is allowed")
def my_attachment() -> MyAttachmentOut:
    from shared.faces import auth
    from shared.patients import attachment

    return MyAttachmentOut(**attachment.my_attachment(auth.signed_in(api.claims(app)), api.lang(app)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
