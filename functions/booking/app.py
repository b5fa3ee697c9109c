"""Booking function: holds, their release, and bookings (anonymous and signed in)."""
from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import bookings as booking
from shared.booking import holds, reschedule
from shared.faces import auth
from shared.faces.http import APIGatewayHttpResolver, Header, Response
from shared.faces.v1 import api
from shared.faces.v1.booking_models import (
    BookingRequest,
    Hold,
    HoldRequest,
    RescheduleRequest,
    SignedInBookingRequest,
    SignedInHoldRequest,
    SignedInRescheduleRequest,
)
from shared.faces.v1.models import AppointmentOut
from shared.platform.errors import DomainError
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)

REFERRAL_ERRORS = ("referral_not_found", "referral_used", "referral_expired", "referral_mismatch")

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128,
                                              description="Required. A retry with the same key and body "
                                                          "returns the first answer.")]


@app.post("/v1/holds", tags=["booking"], operation_id="createHold",
          openapi_extensions=api.errors("not_found", "slot_unavailable", "outside_booking_window",
                                        "patient_not_found", "not_attached", "referral_required", "age_restricted",
                                        "already_booked_specialty", "rate_limited", *REFERRAL_ERRORS),
          summary="Hold a free slot for a patient (checked against the register) while they fill in the form; "
                  "the patient's previous hold is released",
          responses={201: {"description": "Held", "content": {"application/json": {"model": Hold}}}})
def create_hold(request: HoldRequest) -> Response[Hold]:
    return api.json_response(201, holds.create_hold(request.slotId, auth.identity(request.patient),
                                                    request.rescheduleOf, request.referralNumber))


@app.post("/v1/me/holds", tags=["booking"], operation_id="createMyHold",
          openapi_extensions=api.errors("not_found", "slot_unavailable", "outside_booking_window",
                                        "patient_not_found", "not_attached", "referral_required", "age_restricted",
                                        "already_booked_specialty", *REFERRAL_ERRORS),
          summary="Hold a free slot for the signed-in patient; their previous hold is released",
          responses={201: {"description": "Held", "content": {"application/json": {"model": Hold}}}})
def create_hold_signed_in(request: SignedInHoldRequest) -> Response[Hold]:
    caller = auth.acting_for(auth.signed_in(api.claims(app)), request.familyMemberId)
    return api.json_response(201, holds.create_hold(request.slotId, caller, reschedule_of=request.rescheduleOf,
                                                    referral_number=request.referralNumber))


@app.delete("/v1/holds/<holdId>", tags=["booking"], operation_id="releaseHold", summary="Release a hold",
            responses={204: {"description": "Released (or already gone)"}})
def release_hold(holdId: str) -> Response[None]:  # noqa: N803
    holds.release(holdId)
    return Response(status_code=204)


BOOKING_ERRORS = ("not_found", "slot_unavailable", "hold_mismatch", "hold_expired", "already_booked_specialty",
                  "patient_not_found", "not_attached", "referral_required", "age_restricted", "outside_booking_window",
                  "idempotency_key_required", "idempotency_key_reused", *REFERRAL_ERRORS)


def _key(value: str | None) -> str:
    if not value or not value.strip():
        raise DomainError("idempotency_key_required")
    return value.strip()


@app.post("/v1/appointments", tags=["booking"], operation_id="bookAppointment",
          openapi_extensions=api.errors(*BOOKING_ERRORS), summary="Book an appointment (anonymous)",
          responses={201: {"description": "Booked: the ticket",
                           "content": {"application/json": {"model": AppointmentOut}}}})
def book_anonymous(request: BookingRequest, idempotency_key: IdempotencyKey = None) -> Response[AppointmentOut]:
    key = _key(idempotency_key)
    outcome = booking.book(booking.Request(request.slotId, request.holdId, auth.patient(request.patient), key,
                           booking.fingerprint("anonymous", request.model_dump(mode="json")), api.lang(app),
                           wants_reminders=request.reminders, referral_number=request.referralNumber))
    return api.json_response(outcome.status, outcome.body)


@app.post("/v1/me/appointments", tags=["booking"], operation_id="bookMyAppointment",
          openapi_extensions=api.errors(*BOOKING_ERRORS), summary="Book an appointment (signed in)",
          responses={201: {"description": "Booked: the ticket",
                           "content": {"application/json": {"model": AppointmentOut}}}})
def book_signed_in(request: SignedInBookingRequest, idempotency_key: IdempotencyKey = None) -> Response[AppointmentOut]:
    patient = auth.acting_for(auth.signed_in_patient(api.claims(app), request.email), request.familyMemberId)
    key = _key(idempotency_key)
    outcome = booking.book(booking.Request(request.slotId, request.holdId, patient, key,
                           booking.fingerprint("signed-in", request.model_dump(mode="json")), api.lang(app),
                           wants_reminders=request.reminders, referral_number=request.referralNumber))
    return api.json_response(outcome.status, outcome.body)


RESCHEDULE_ERRORS = ("not_found", "slot_unavailable", "hold_expired", "hold_mismatch", "already_cancelled",
                     "already_rescheduled", "appointment_started", "reschedule_mismatch", "outside_booking_window",
                     "not_attached", "age_restricted", "idempotency_key_required", "idempotency_key_reused")


@app.post("/v1/appointments/<appointmentId>/reschedule", tags=["booking"], operation_id="rescheduleAppointment",
          openapi_extensions=api.errors(*RESCHEDULE_ERRORS, "rate_limited"),
          summary="Move an appointment to another time in one step (anonymous, by OMS policy)",
          responses={201: {"description": "Rescheduled: the new ticket",
                           "content": {"application/json": {"model": AppointmentOut}}}})
def reschedule_anonymous(appointmentId: str, request: RescheduleRequest,  # noqa: N803 - the contract's name
                         idempotency_key: IdempotencyKey = None) -> Response[AppointmentOut]:
    key = _key(idempotency_key)
    outcome = reschedule.reschedule(appointmentId, booking.Request(
        request.slotId, request.holdId, auth.by_policy(request.policyNumber, request.policySeries), key,
        booking.fingerprint(f"reschedule|{appointmentId}", request.model_dump(mode="json")), api.lang(app)))
    return api.json_response(outcome.status, outcome.body)


@app.post("/v1/me/appointments/<appointmentId>/reschedule", tags=["booking"], operation_id="rescheduleMyAppointment",
          openapi_extensions=api.errors(*RESCHEDULE_ERRORS),
          summary="Move one's own appointment to another time in one step (signed in)",
          responses={201: {"description": "Rescheduled: the new ticket",
                           "content": {"application/json": {"model": AppointmentOut}}}})
def reschedule_signed_in(appointmentId: str, request: SignedInRescheduleRequest,  # noqa: N803
                         idempotency_key: IdempotencyKey = None) -> Response[AppointmentOut]:
    key = _key(idempotency_key)
    fingerprint = booking.fingerprint(f"reschedule|{appointmentId}", request.model_dump(mode="json"))
    # A parent moves their child's appointment as its representative (issue 29): the appointment names whose it is.
    outcome = auth.on_appointment(api.claims(app), appointmentId, lambda caller: reschedule.reschedule(
        appointmentId, booking.Request(request.slotId, request.holdId, caller, key, fingerprint, api.lang(app))))
    return api.json_response(outcome.status, outcome.body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
