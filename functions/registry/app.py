"""Registry function: clinic staff (a staff OIDC token checked by the StaffJwt authorizer; clinic and role from
its claims, see shared/clinic/staff.py) register changes of polyclinic, issue referrals, publish doctors and
plans, declare absences, read the day list, record attendance and read the access journal. Every staff write
carries its journal entry in its own transaction; every read of personal data appends one
(shared/domain/journal.py, shared/clinic/access.py)."""
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
    Journal,
    ReferralIssueRequest,
    RepresentativesOut,
    RepresentativesRequest,
)
from shared.patients import attachment
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


def _staff_of(clinic_id: str, action: str) -> staff.Staff:
    """The caller, refused (403 forbidden) unless they act for `clinic_id` in a role that may do `action`."""
    caller = staff.caller(app.current_event.raw_event)
    caller.require(clinic_id, action)
    return caller


@app.post("/v1/registry/attachments", tags=["registry"], operation_id="changeAttachment",
          openapi_extensions=api.errors("not_found", "patient_not_found", "already_attached",
                                        "attachment_change_too_soon", "clinic_kind_mismatch", "forbidden"),
          summary="Register a change of polyclinic (head of registry of the new clinic, or the city operator): "
                  "attach to the new clinic, detach from the old one",
          responses={201: {"description": "Attached", "content": {"application/json": {"model": AttachmentChangeOut}}}})
def change_attachment(request: AttachmentChangeRequest) -> Response[AttachmentChangeOut]:
    caller = _staff_of(request.clinicId, staff.ATTACHMENTS)
    p = request.patient
    return api.json_response(201, attachment.change(
        last_name=p.lastName, first_name=p.firstName, middle_name=p.middleName,
        birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber, policy_series=p.policySeries,
        clinic_id=request.clinicId, reason=request.reason, registered_by=caller.principal, actor=caller.actor,
        representatives=None if request.representatives is None else [
            (r.policyNumber, r.policySeries) for r in request.representatives]))


@app.put("/v1/registry/clinics/<clinicId>/representatives", tags=["registry"], operation_id="putRepresentatives",
         openapi_extensions=api.errors("patient_not_found", "not_attached", "forbidden"),
         summary="Replace a child's legal representatives (head of registry of the child's clinic, or the city "
                 "operator); an empty list removes them all, and a parent removed loses the right at once")
def put_representatives(clinicId: str, request: RepresentativesRequest) -> RepresentativesOut:  # noqa: N803
    caller = _staff_of(clinicId, staff.REPRESENTATIVES)
    p = request.patient
    person = {"lastName": p.lastName, "firstName": p.firstName, "middleName": p.middleName,
              "birthDate": p.birthDate.isoformat(), "policyNumber": p.policyNumber, "policySeries": p.policySeries}
    return RepresentativesOut(**attachment.replace_representatives(
        person=person, parents=[(r.policyNumber, r.policySeries) for r in request.representatives],
        clinic_id=clinicId, actor=caller.actor))


@app.post("/v1/registry/referrals", tags=["registry"], operation_id="issueReferral",
          openapi_extensions=api.errors("not_found", "patient_not_found", "forbidden"),
          summary="Issue a referral (head of registry of the patient's clinic, or the city operator) to a "
                  "specialty at a target clinic: the patient books with its number",
          responses={201: {"description": "Issued", "content": {"application/json": {"model": ReferralOut}}}})
def issue_referral(request: ReferralIssueRequest) -> Response[ReferralOut]:
    from shared.booking import referrals

    caller = staff.caller(app.current_event.raw_event)
    caller.require_role(staff.REFERRALS)
    p = request.patient
    return api.json_response(201, referrals.issue(
        staff_clinic=caller.clinic_id, principal=caller.principal, last_name=p.lastName,
        birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber, policy_series=p.policySeries,
        specialty_id=request.specialtyId, target_clinic_id=request.targetClinicId, valid_until=request.validUntil,
        lang=api.lang(app), actor=caller.actor))


@app.put("/v1/registry/clinics/<clinicId>/doctors/<doctorId>", tags=["registry"], operation_id="publishDoctorPlan",
         openapi_extensions=api.errors("forbidden"),
         summary="Create or update a doctor and publish the plan's free slots for the open window "
                 "(idempotent; booked appointments that no longer fit are listed as conflicts)")
def put_doctor(clinicId: str, doctorId: str, request: DoctorIn) -> DoctorOut:  # noqa: N803 - the contract's names
    from shared.clinic import schedule

    caller = _staff_of(clinicId, staff.PLANS)
    body = request.model_dump(by_alias=True)
    return DoctorOut(**schedule.publish_doctor(clinicId, doctorId, body, api.lang(app), actor=caller.actor))


@app.post("/v1/registry/clinics/<clinicId>/doctors/<doctorId>/absences", tags=["registry"],
          operation_id="declareAbsence", openapi_extensions=api.errors("forbidden"),
          summary="Declare a doctor's absence: close its days, cancel the booked appointments (each patient is "
                  "emailed); idempotent. dryRun counts without writing.")
def post_absence(clinicId: str, doctorId: str, request: AbsenceIn) -> AbsenceOut:  # noqa: N803
    from shared.clinic import absences

    caller = _staff_of(clinicId, staff.ABSENCES)
    return AbsenceOut(**absences.declare(clinicId, doctorId, request.from_, request.to, request.reason,
                                         dry_run=request.dryRun, actor=caller.actor))


@app.get("/v1/registry/clinics/<clinicId>/appointments", tags=["registry"], operation_id="listClinicDay",
         openapi_extensions=api.errors("forbidden"),
         summary="The reception's day list: the clinic's appointments of a day in time order, every status")
def day_list(clinicId: str,  # noqa: N803
             day: Annotated[SaneDate, Query(alias="date")],
             doctorId: Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,24}-d\d{1,4}$")] = None) -> DayList:  # noqa: N803
    from shared.clinic import access, daylist

    caller = _staff_of(clinicId, staff.DAYLIST)
    return DayList(**access.day_list_read(caller, clinicId, daylist.day_list(clinicId, day, doctorId)))


@app.post("/v1/registry/appointments/<appointmentId>/attendance", tags=["registry"], operation_id="recordAttendance",
          openapi_extensions=api.errors("forbidden", "appointment_not_started", "attendance_already_recorded"),
          summary="Record attendance after the start: booked -> fulfilled | noshow, once")
def attendance(appointmentId: str, request: AttendanceIn) -> AttendanceOut:  # noqa: N803
    from shared.clinic import daylist

    caller = staff.caller(app.current_event.raw_event)
    caller.require_role(staff.ATTENDANCE)
    return AttendanceOut(**daylist.mark_attendance(caller, appointmentId, request.status))


@app.get("/v1/registry/clinics/<clinicId>/journal", tags=["registry"], operation_id="readAccessJournal",
         openapi_extensions=api.errors("forbidden"),
         summary="The access journal of a clinic's day (head of registry, city operator): who among the staff "
                 "read or changed what, oldest first; reading it is journalled too")
def read_journal(clinicId: str, day: Annotated[SaneDate, Query(alias="date")]) -> Journal:  # noqa: N803
    from shared.clinic import access

    caller = _staff_of(clinicId, staff.JOURNAL)
    return Journal(**access.journal_of(caller, clinicId, day))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
