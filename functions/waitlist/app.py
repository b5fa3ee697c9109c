"""Waitlist function (issue 15): join a waiting list (anonymous or signed in), see and leave one's entries,
and accept an offer from its email link."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import waitlist
from shared.faces import auth
from shared.faces.http import APIGatewayHttpResolver, Query, Response
from shared.faces.people import PolicyIn
from shared.faces.v1 import api
from shared.faces.v1.models import AppointmentOut, Items
from shared.faces.v1.waitlist_models import (
    OfferAcceptIn,
    SignedInWaitlistJoinRequest,
    WaitEntry,
    WaitEntryOut,
    WaitlistIn,
    WaitlistJoinRequest,
)
from shared.patients.callers import Caller
from shared.platform.observability import logger

if TYPE_CHECKING:  # the event_handler package's __init__ imports what a cold start need not
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)

JOIN_ERRORS = ("not_found", "patient_not_found", "not_attached", "referral_required", "referral_not_found",
               "referral_used", "referral_expired", "referral_mismatch", "already_booked_specialty",
               "waitlist_exists")
FamilyMember = Annotated[str | None, Query(min_length=1, max_length=64,
                                           description="A family member's id (GET /v1/me/family); absent: oneself")]
ENTRY: OpenAPIResponse = {"description": "The entry", "content": {"application/json": {"model": WaitEntryOut}}}


def _join(request: WaitlistIn, patient: Caller) -> Response[WaitEntryOut]:
    wish = waitlist.Wish(request.clinicId, request.specialtyId, request.doctorId, request.from_, request.to,
                         request.referralNumber)
    return api.json_response(201, waitlist.join(wish, patient, api.lang(app)))


@app.post("/v1/waitlist", tags=["waitlist"], operation_id="joinWaitlist",
          openapi_extensions=api.errors(*JOIN_ERRORS, "rate_limited"),
          summary="Wait for a free time of a specialty (or one doctor) between two days; a freed slot is held "
                  "for the earliest waiting patient for 15 minutes and offered by email (anonymous)",
          responses={201: ENTRY})
def join(request: WaitlistJoinRequest) -> Response[WaitEntryOut]:
    return _join(request, auth.patient(request.patient))


@app.post("/v1/me/waitlist", tags=["waitlist"], operation_id="joinMyWaitlist",
          openapi_extensions=api.errors(*JOIN_ERRORS), summary="Wait for a free time (signed in)",
          responses={201: ENTRY})
def join_signed_in(request: SignedInWaitlistJoinRequest) -> Response[WaitEntryOut]:
    return _join(request, auth.acting_for(auth.signed_in_patient(api.claims(app), request.email),
                                          request.familyMemberId))


@app.get("/v1/me/waitlist", tags=["waitlist"], operation_id="listMyWaitlist",
         openapi_extensions=api.errors("not_found", "patient_not_found"),
         summary="The signed-in patient's active waiting-list entries",
         responses={200: {"description": "Entries", "content": {"application/json": {"model": Items[WaitEntry]}}}})
def list_mine(familyMemberId: FamilyMember = None) -> Response[Items[WaitEntry]]:  # noqa: N803 - the contract's name
    caller = auth.acting_for(auth.signed_in(api.claims(app)), familyMemberId)
    return api.json_response(200, waitlist.mine(caller, api.lang(app)))


@app.delete("/v1/me/waitlist/<entryId>", tags=["waitlist"], operation_id="leaveMyWaitlist",
            openapi_extensions=api.errors("not_found"),
            summary="Stop waiting (signed in); a time offered meanwhile goes to the next patient",
            responses={200: ENTRY})
def leave_signed_in(entryId: str) -> Response[WaitEntryOut]:  # noqa: N803 - the contract's name
    # A parent's entry for their child (issue 29): left as the child's representative, the entry names whose it is.
    return api.json_response(200, auth.on_behalf(api.claims(app), lambda: waitlist.patient_of(entryId),
                                                 lambda caller: waitlist.cancel(entryId, caller, api.lang(app))))


@app.post("/v1/waitlist/<entryId>/cancel", tags=["waitlist"], operation_id="leaveWaitlist",
          openapi_extensions=api.errors("not_found", "rate_limited"),
          summary="Stop waiting, with the OMS policy the entry was made with (anonymous)", responses={200: ENTRY})
def leave(entryId: str, request: PolicyIn) -> Response[WaitEntryOut]:  # noqa: N803
    caller = auth.by_policy(request.policyNumber, request.policySeries)
    return api.json_response(200, waitlist.cancel(entryId, caller, api.lang(app)))


@app.get("/v1/waitlist/<entryId>", tags=["waitlist"], operation_id="getWaitlistEntry",
         openapi_extensions=api.errors("not_found"),
         summary="An entry and its offer, by the offer email's link (token `t`)", responses={200: ENTRY})
def by_link(entryId: str,  # noqa: N803
            t: Annotated[str, Query(min_length=1, max_length=64, description="The token of the offer's link")],
            ) -> Response[WaitEntryOut]:
    return api.json_response(200, waitlist.by_link(entryId, t, api.lang(app)))


@app.post("/v1/waitlist/<entryId>/accept", tags=["waitlist"], operation_id="acceptOffer",
          openapi_extensions=api.errors("not_found", "offer_expired", "already_booked_specialty"),
          summary="Book the offered time with one click (the offer link's token); a retry answers the same ticket",
          responses={201: {"description": "Booked: the ticket",
                           "content": {"application/json": {"model": AppointmentOut}}}})
def accept(entryId: str, request: OfferAcceptIn) -> Response[AppointmentOut]:  # noqa: N803
    outcome = waitlist.accept(entryId, request.token, api.lang(app))
    return api.json_response(outcome.status, outcome.body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
