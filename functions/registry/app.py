"""Registry function: clinic staff register a change of polyclinic (an IAM-authorized route)."""
from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import api, attachment
from shared.http import APIGatewayHttpResolver, Response
from shared.models import AttachmentChangeOut, AttachmentChangeRequest
from shared.observability import logger

app = APIGatewayHttpResolver(enable_validation=True, serializer=api.serialize)
api.configure(app)


@app.post("/v1/registry/attachments", tags=["registry"],
          summary="Register a change of polyclinic (clinic staff; AWS_IAM): attach to the new clinic, "
                  "detach from the old one",
          responses={201: {"description": "Attached", "content": {"application/json": {"model": AttachmentChangeOut}}}})
def change_attachment(request: AttachmentChangeRequest) -> Response[AttachmentChangeOut]:
    staff = attachment.staff_caller(app.current_event.raw_event)
    p = request.patient
    return api.json_response(201, attachment.change(
        last_name=p.lastName, birth_date=p.birthDate.isoformat(), policy_number=p.policyNumber,
        policy_series=p.policySeries, clinic_id=request.clinicId, reason=request.reason, registered_by=staff))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
