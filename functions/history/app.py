"""History function: a signed-in patient's applications, an anonymous patient's search for future ones, one
ticket by its link (capability token), and a referral by its number and last name."""
from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import history
from shared.faces import auth
from shared.faces.http import APIGatewayHttpResolver, Query
from shared.faces.v1 import api
from shared.faces.v1.history_models import HistoryPage, ReferralLookupRequest, ReferralOut, SearchRequest
from shared.faces.v1.models import Appointment, AppointmentOut, FamilyMember, Items
from shared.patients import family
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.get("/v1/me/appointments", tags=["history"], operation_id="listMyAppointments",
         openapi_extensions=api.errors("not_found", "patient_not_found"),
         summary="The history of applications (История заявлений), newest first, every status")
def list_history(
    limit: Annotated[int, Query(ge=1, le=history.MAX_PAGE, description="Page size")] = history.DEFAULT_PAGE,
    nextToken: Annotated[str | None, Query(max_length=200, description="From the previous page")] = None,  # noqa: N803
    familyMemberId: Annotated[str | None, Query(min_length=1, max_length=64,  # noqa: N803
                                                description="A child's id from GET /v1/me/family; absent: "
                                                            "oneself")] = None,
) -> HistoryPage:
    caller = auth.acting_for(auth.signed_in(api.claims(app)), familyMemberId)
    return HistoryPage(**history.history(caller, limit, nextToken, api.lang(app)))


@app.get("/v1/me/family", tags=["history"], operation_id="listMyFamily",
         openapi_extensions=api.errors("patient_not_found"),
         summary="The signed-in patient and the children they represent (legal representative on the register): "
                 "self first, then the children by birth date")
def list_family() -> Items[FamilyMember]:
    return Items[FamilyMember](**family.family(auth.signed_in(api.claims(app))))


@app.post("/v1/appointments/search", tags=["history"], operation_id="searchAppointments",
          openapi_extensions=api.errors("rate_limited"),
          summary="Future appointments of an anonymous patient, by OMS policy, last name and birth date")
def search(request: SearchRequest) -> Items[Appointment]:
    found = history.search(auth.identity(request), api.lang(app))
    return Items[Appointment](**found)


@app.get("/v1/appointments/<appointmentId>", tags=["history"], operation_id="getTicket",
         summary="One ticket by its link: the capability token `t` from the ticket's ticketUrl")
def get_ticket(
    appointmentId: str,  # noqa: N803 - the contract's name
    t: Annotated[str, Query(min_length=1, max_length=64, description="The token of the ticket's link")],
) -> AppointmentOut:
    return AppointmentOut(**history.by_link(appointmentId, t, api.lang(app)))


@app.post("/v1/referrals/lookup", tags=["referrals"], operation_id="lookupReferral",
          openapi_extensions=api.errors("referral_not_found", "rate_limited"),
          summary="A referral by its number and the patient's last name: specialty, target clinic, validity, "
                  "status (an unknown number and a wrong last name get the same 404)")
def lookup_referral(request: ReferralLookupRequest) -> ReferralOut:
    from shared.booking import referrals

    return ReferralOut(**referrals.lookup(request.number, request.lastName, api.lang(app)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
