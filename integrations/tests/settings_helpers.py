"""Shared set-up for the Settings > Integrations tests: connections made through the services."""

import datetime

from django.utils import timezone

from integrations import services
from integrations.models import Connection, ScimRequest


def make_connection(organization, name: str = "Okta production", created_by=None) -> services.NewConnection:
    return services.connection_create(organization=organization, name=name, created_by=created_by)


def record_request(
    connection: Connection,
    *,
    status_code: int = 200,
    operation: str = ScimRequest.Operation.LOOKUP,
    ago: datetime.timedelta = datetime.timedelta(0),
    employee=None,
    token=None,
    detail: str = "",
    path: str = "/Users",
) -> ScimRequest:
    outcome = (
        ScimRequest.Outcome.SUCCESS
        if status_code < 400
        else ScimRequest.Outcome.CLIENT_ERROR
        if status_code < 500
        else ScimRequest.Outcome.SERVER_ERROR
    )
    return ScimRequest.objects.create(
        connection=connection,
        token=token,
        created_at=timezone.now() - ago,
        method="GET",
        path=f"/scim/v2/{connection.public_id}{path}",
        status_code=status_code,
        outcome=outcome,
        operation=operation,
        employee=employee,
        detail=detail,
    )
