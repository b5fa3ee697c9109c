"""Cancellation function: anonymous (by OMS policy) and signed-in (owner only) cancellation of an appointment."""
from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.booking import cancellation, reminders
from shared.faces import auth
from shared.faces.http import APIGatewayHttpResolver
from shared.faces.people import PolicyIn
from shared.faces.v1 import api
from shared.faces.v1.history_models import CancellationOut, RemindersOff, RemindersOffIn
from shared.platform.errors import DomainError
from shared.platform.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.post("/v1/appointments/<appointmentId>/cancel", tags=["cancellation"], operation_id="cancelAppointment",
          openapi_extensions=api.errors("already_cancelled", "appointment_started"),
          summary="Cancel an appointment with the OMS policy it was booked with (anonymous)")
def cancel_anonymous(appointmentId: str, request: PolicyIn) -> CancellationOut:  # noqa: N803 - the contract's name
    caller = auth.by_policy(request.policyNumber, request.policySeries)
    return CancellationOut(**cancellation.cancel(appointmentId, caller, api.lang(app)))


@app.post("/v1/me/appointments/<appointmentId>/cancel", tags=["cancellation"], operation_id="cancelMyAppointment",
          openapi_extensions=api.errors("already_cancelled", "appointment_started"),
          summary="Cancel one's own appointment from the history of applications (signed in)")
def cancel_signed_in(appointmentId: str) -> CancellationOut:  # noqa: N803
    # A parent cancels their child's appointment as its representative (issue 29): the appointment names whose it is.
    return CancellationOut(**auth.on_appointment(api.claims(app), appointmentId,
                                                 lambda caller: cancellation.cancel(appointmentId, caller,
                                                                                    api.lang(app))))


@app.post("/v1/appointments/<appointmentId>/reminders/off", tags=["cancellation"], operation_id="turnRemindersOff",
          openapi_extensions=api.errors("not_found"),
          summary="Turn reminders off for one appointment, from the email's link (no sign-in; the link's token)")
def reminders_off(appointmentId: str, request: RemindersOffIn) -> RemindersOff:  # noqa: N803
    if not reminders.turn_off(appointmentId, request.token):
        raise DomainError("not_found")
    return RemindersOff(appointmentId=appointmentId, reminders=False)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
