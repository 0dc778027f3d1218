"""Reads for connections, tokens and the SCIM activity record."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee, Organization

from .models import Connection, ConnectionToken, GuardDecision, ProvisionedDeactivation, ScimRequest

# Answers that are part of a healthy conversation with an IdP: Okta looks users up by id and
# gets 404 for ones deleted here, and a duplicate create is answered 409 by design (RFC 7644 §3.3).
EXPECTED_CLIENT_ERRORS = frozenset({404, 409})
CHART_DAYS = 30


class Status:
    WAITING = "waiting"
    CONNECTED = "connected"
    FAILING = "failing"
    DISABLED = "disabled"

    LABELS = {
        WAITING: "Waiting for the first request",
        CONNECTED: "Connected",
        FAILING: "Failing",
        DISABLED: "Paused: Okta not enabled",
    }


@dataclass(frozen=True)
class ConnectionOverview:
    """One connection as the settings pages show it."""

    connection: Connection
    status: str
    last_request_at: datetime.datetime | None
    active_employees: int
    deactivated_employees: int
    tokens: list[ConnectionToken]

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def live_tokens(self) -> list[ConnectionToken]:
        return [token for token in self.tokens if token.revoked_at is None]


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    success: int
    client_error: int
    server_error: int

    @property
    def total(self) -> int:
        return self.success + self.client_error + self.server_error


def connection_status(
    *, last_outcome: str | None, last_status_code: int | None, provisioning_enabled: bool = True
) -> str:
    """From the latest request: none yet, a healthy answer, or one that means syncing is broken.

    While support staff have Okta turned off every request is refused, whatever the last one said.
    """
    if not provisioning_enabled:
        return Status.DISABLED
    if last_outcome is None:
        return Status.WAITING
    if last_outcome == ScimRequest.Outcome.SUCCESS or last_status_code in EXPECTED_CLIENT_ERRORS:
        return Status.CONNECTED
    return Status.FAILING


def _latest_request(field: str):
    return Subquery(
        ScimRequest.objects.filter(connection=OuterRef("pk")).order_by("-created_at", "-id").values(field)[:1]
    )


def token_queryset() -> QuerySet[ConnectionToken]:
    """Tokens with `last_used`: the recorded time, else the newest request made with the token."""
    latest_use = (
        ScimRequest.objects.filter(token=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return ConnectionToken.objects.select_related("created_by__employee").annotate(
        last_used=Coalesce(F("last_used_at"), Subquery(latest_use))
    )


def _overview_queryset(*, organization: Organization) -> QuerySet[Connection]:
    # Employee counts join one relation only; request facts come from subqueries so rows do not multiply.
    return (
        Connection.objects.filter(organization=organization, deleted_at__isnull=True)
        .select_related("created_by__employee")
        .annotate(
            last_request_at=_latest_request("created_at"),
            last_outcome=_latest_request("outcome"),
            last_status_code=_latest_request("status_code"),
            active_employees=Count(
                "provisioned", filter=Q(provisioned__employee__status=Employee.Status.ACTIVE)
            ),
            deactivated_employees=Count(
                "provisioned", filter=Q(provisioned__employee__status=Employee.Status.DEACTIVATED)
            ),
        )
        .prefetch_related(Prefetch("tokens", queryset=token_queryset()))
    )


def _overview(connection: Connection, organization: Organization) -> ConnectionOverview:
    return ConnectionOverview(
        connection=connection,
        status=connection_status(
            last_outcome=connection.last_outcome,
            last_status_code=connection.last_status_code,
            provisioning_enabled=organization.provisioning_enabled,
        ),
        last_request_at=connection.last_request_at,
        active_employees=connection.active_employees,
        deactivated_employees=connection.deactivated_employees,
        tokens=list(connection.tokens.all()),
    )


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization, deleted_at__isnull=True).select_related(
        "created_by__employee"
    )


def connection_overview_list(*, organization: Organization) -> list[ConnectionOverview]:
    return [
        _overview(connection, organization) for connection in _overview_queryset(organization=organization)
    ]


def connection_get(*, organization: Organization, pk: int) -> Connection:
    """A live connection of this organization, or 404 (another organization's ids do not exist here)."""
    return get_object_or_404(Connection, organization=organization, pk=pk, deleted_at__isnull=True)


def connection_overview_get(*, organization: Organization, pk: int) -> ConnectionOverview:
    connection = get_object_or_404(_overview_queryset(organization=organization), pk=pk)
    return _overview(connection, organization)


def token_get(*, connection: Connection, pk: int) -> ConnectionToken:
    return get_object_or_404(ConnectionToken, connection=connection, pk=pk)


def connection_base_url(*, connection: Connection, request: HttpRequest) -> str:
    """The SCIM base URL an admin pastes into Okta (no trailing slash; Okta appends /Users)."""
    origin = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    return origin + reverse("scim:root", kwargs={"public_id": connection.public_id}).rstrip("/")


def scim_request_list(
    *, connection: Connection, outcome: str = "", operation: str = ""
) -> QuerySet[ScimRequest]:
    """The connection's activity, newest first."""
    requests = ScimRequest.objects.filter(connection=connection).select_related("employee")
    if outcome:
        requests = requests.filter(outcome=outcome)
    if operation:
        requests = requests.filter(operation=operation)
    return requests.order_by("-created_at", "-id")


def scim_request_daily_counts(
    *, connection: Connection, days: int = CHART_DAYS, today: datetime.date | None = None
) -> list[DayCount]:
    """Requests per day by outcome for the last `days` days (today included), in one grouped query."""
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    rows = (
        ScimRequest.objects.filter(connection=connection, created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[tuple[datetime.date, str], int] = {
        (row["day"], row["outcome"]): row["count"] for row in rows
    }
    result = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        result.append(
            DayCount(
                day=day,
                success=counts.get((day, ScimRequest.Outcome.SUCCESS), 0),
                client_error=counts.get((day, ScimRequest.Outcome.CLIENT_ERROR), 0),
                server_error=counts.get((day, ScimRequest.Outcome.SERVER_ERROR), 0),
            )
        )
    return result


def manager_link_problems(*, connection: Connection) -> QuerySet[Employee]:
    """Employees from this connection whose manager (an email) is not linked yet or could not be."""
    return (
        Employee.objects.filter(
            organization_id=connection.organization_id,
            provisioning__connection=connection,
            manager_link__in=[Employee.ManagerLink.PENDING, Employee.ManagerLink.UNRESOLVED],
        )
        .only("id", "first_name", "last_name", "email", "manager_email", "manager_link", "manager_link_error")
        .order_by("manager_link", "last_name", "first_name", "id")
    )


def guard_decision_list(*, organization: Organization) -> QuerySet[GuardDecision]:
    """Decisions about held deactivations and ownership, newest first."""
    return GuardDecision.objects.filter(organization=organization).select_related(
        "actor__employee", "connection"
    )


def held_summary(*, organization: Organization) -> list[dict]:
    """Live connections with deactivations held, and how many: the Settings banner."""
    return list(
        ProvisionedDeactivation.objects.filter(
            connection__organization=organization,
            connection__deleted_at__isnull=True,
            state=ProvisionedDeactivation.State.HELD,
        )
        .values("connection_id", "connection__name")
        .annotate(count=Count("id"))
        .order_by("connection__name")
    )
