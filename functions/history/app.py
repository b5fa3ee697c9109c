"""History function: a signed-in patient's applications, and an anonymous patient's search for future ones."""
from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import api, auth, history
from shared.models import Appointment, HistoryPage, Items, SearchRequest
from shared.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.get("/v1/me/appointments", tags=["history"],
         summary="The history of applications (История заявлений), newest first, every status")
def list_history(
    limit: Annotated[int, Query(ge=1, le=history.MAX_PAGE, description="Page size")] = history.DEFAULT_PAGE,
    nextToken: Annotated[str | None, Query(max_length=200, description="From the previous page")] = None,  # noqa: N803
) -> HistoryPage:
    policy_hash = auth.verified_policy_hash(api.claims(app))
    return HistoryPage(**history.history(policy_hash, limit, nextToken, api.lang(app)))


@app.post("/v1/appointments/search", tags=["history"],
          summary="Future appointments of an anonymous patient, by OMS policy, last name and birth date")
def search(request: SearchRequest) -> Items[Appointment]:
    found = history.search(request.policyNumber, request.policySeries, request.lastName,
                           request.birthDate.isoformat(), api.lang(app))
    return Items[Appointment](**found)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
