"""Registry function: clinic staff (AWS_IAM-signed requests, scoped to their clinic by the principal, see
shared/clinic/staff.py) register changes of polyclinic, publish doctors and plans, declare absences, read the day
list and record attendance."""
from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.clinic import staff
from shared.faces.http import APIGatewayHttpResolver, Query, Response
from shared.faces.people import SaneDate
from shared.faces.v1 import api
from shared.faces.v1.history_models import ReferralOut
from shared.faces.v1.registry_models import (
    AbsenceIn,
    AbsenceOut,
    AttachmentChangeOut,
    AttachmentChangeRequest,
    AttendanceIn,
    AttendanceOut,
    DayList,
    DoctorIn,
    DoctorOut,
    ReferralIssueRequest,
)
from shared.patients import attachment
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


def _staff_of(clinic_id: str) -> staff.Staff:
    """The caller, refused (403 forbidden) unless they act for `clinic_id`."""
    caller = staff.caller(app.current_event.raw_event)
    caller.require(clinic_id)
    return caller


@app.post("/v1/registry/attachments", tags=["registry"], operation_id="changeAttachment",
          openapi_extensions=api.errors("not_found", "patient_not_found", "already_attached",
                                        "attachment_change_too_soon", "forbidden"),
          summary="Register a change of polyclinic (clinic staff of the new clinic; AWS_IAM): attach to the new "
                  "clinic, detach from the old one",
          responses={201: {"description": "Attached", "content": {"application/json": {"model": AttachmentChangeOut}}}})
def change_attachment(request: AttachmentChangeRequest) -> Response[AttachmentChangeOut]:
    caller = _staff_of(request.clinicId)
    p = request.patient
    return api.json_response(201, attachment.change(
        last_name=p.lastName, first_name=p.firstName, middle_name=p.middleName,
        birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber, policy_series=p.policySeries,
        clinic_id=request.clinicId, reason=request.reason, registered_by=caller.principal))


@app.post("/v1/registry/referrals", tags=["registry"], operation_id="issueReferral",
          openapi_extensions=api.errors("not_found", "patient_not_found", "forbidden"),
          summary="Issue a referral (clinic staff of the patient's clinic; AWS_IAM) to a specialty at a target "
                  "clinic: the patient books with its number",
          responses={201: {"description": "Issued", "content": {"application/json": {"model": ReferralOut}}}})
def issue_referral(request: ReferralIssueRequest) -> Response[ReferralOut]:
    from shared.booking import referrals

    caller = staff.caller(app.current_event.raw_event)
    p = request.patient
    return api.json_response(201, referrals.issue(
        staff_clinic=caller.clinic_id, principal=caller.principal, last_name=p.lastName,
        birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber, policy_series=p.policySeries,
        specialty_id=request.specialtyId, target_clinic_id=request.targetClinicId, valid_until=request.validUntil,
        lang=api.lang(app)))


@app.put("/v1/registry/clinics/<clinicId>/doctors/<doctorId>", tags=["registry"], operation_id="publishDoctorPlan",
         openapi_extensions=api.errors("forbidden"),
         summary="Create or update a doctor and publish the plan's free slots for the open window "
                 "(idempotent; booked appointments that no longer fit are listed as conflicts)")
def put_doctor(clinicId: str, doctorId: str, request: DoctorIn) -> DoctorOut:  # noqa: N803 - the contract's names
    from shared.clinic import schedule

    _staff_of(clinicId)
    body = request.model_dump(by_alias=True)
    return DoctorOut(**schedule.publish_doctor(clinicId, doctorId, body, api.lang(app)))


@app.post("/v1/registry/clinics/<clinicId>/doctors/<doctorId>/absences", tags=["registry"],
          operation_id="declareAbsence", openapi_extensions=api.errors("forbidden"),
          summary="Declare a doctor's absence: close its days, cancel the booked appointments (each patient is "
                  "emailed); idempotent. dryRun counts without writing.")
def post_absence(clinicId: str, doctorId: str, request: AbsenceIn) -> AbsenceOut:  # noqa: N803
    from shared.clinic import absences

    _staff_of(clinicId)
    return AbsenceOut(**absences.declare(clinicId, doctorId, request.from_, request.to, request.reason,
                                         dry_run=request.dryRun))


@app.get("/v1/registry/clinics/<clinicId>/appointments", tags=["registry"], operation_id="listClinicDay",
         openapi_extensions=api.errors("forbidden"),
         summary="The reception's day list: the clinic's appointments of a day in time order, every status")
def day_list(clinicId: str,  # noqa: N803
             day: Annotated[SaneDate, Query(alias="date")],
             doctorId: Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,24}-d\d{1,4}$")] = None) -> DayList:  # noqa: N803
    from shared.clinic import daylist

    _staff_of(clinicId)
    return DayList(**daylist.day_list(clinicId, day, doctorId))


@app.post("/v1/registry/appointments/<appointmentId>/attendance", tags=["registry"], operation_id="recordAttendance",
          openapi_extensions=api.errors("forbidden", "appointment_not_started", "attendance_already_recorded"),
          summary="Record attendance after the start: booked -> fulfilled | noshow, once")
def attendance(appointmentId: str, request: AttendanceIn) -> AttendanceOut:  # noqa: N803
    from shared.clinic import daylist

    caller = staff.caller(app.current_event.raw_event)
    return AttendanceOut(**daylist.mark_attendance(caller, appointmentId, request.status))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
