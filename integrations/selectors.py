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
from .scim.activity import person_digest
from .status import HEALTHY, NO_STREAK, Health, connection_health, streaks_for

CHART_DAYS = 30
# A token that made a request this recently is "in use".
TOKEN_IN_USE_WINDOW = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class ConnectionOverview:
    """One connection as the settings pages show it."""

    connection: Connection
    health: Health
    active_employees: int
    deactivated_employees: int
    tokens: list[ConnectionToken]

    @property
    def status(self) -> str:
        return self.health.status

    @property
    def status_label(self) -> str:
        return self.health.label

    @property
    def last_request_at(self) -> datetime.datetime | None:
        return self.health.last_request_at

    @property
    def live_tokens(self) -> list[ConnectionToken]:
        return [token for token in self.tokens if token.revoked_at is None]

    @property
    def token_rows(self) -> list["TokenRow"]:
        """Every token with its markers: the newest live one, and those the IdP uses now."""
        live = self.live_tokens
        newest = max(live, key=lambda token: (token.created_at, token.pk)) if len(self.tokens) > 1 else None
        recent = timezone.now() - TOKEN_IN_USE_WINDOW
        return [
            TokenRow(
                token=token,
                newest=token is newest,
                in_use=token.revoked_at is None and token.last_used is not None and token.last_used >= recent,
            )
            for token in self.tokens
        ]

    @property
    def rotation(self) -> "Rotation | None":
        """With two live tokens, a rotation is under way: the newer replaces the older."""
        live = sorted(self.live_tokens, key=lambda token: (token.created_at, token.pk))
        if len(live) != 2:
            return None
        old, new = live
        return Rotation(old=old, new=new, new_seen=new.last_used is not None)


@dataclass(frozen=True)
class TokenRow:
    token: ConnectionToken
    newest: bool
    in_use: bool


@dataclass(frozen=True)
class Rotation:
    old: ConnectionToken
    new: ConnectionToken
    new_seen: bool


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    success: int
    client_error: int
    server_error: int

    @property
    def total(self) -> int:
        return self.success + self.client_error + self.server_error


def _latest_request(field: str, condition: Q | None = None):
    return Subquery(
        ScimRequest.objects.filter(condition or Q(), connection=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values(field)[:1]
    )


def token_queryset() -> QuerySet[ConnectionToken]:
    """Tokens with `last_used` (the recorded time, else the newest request made with the token)
    and that request's method and path: "last used 3 min ago by GET /Users"."""

    def latest_use(field: str):
        return Subquery(
            ScimRequest.objects.filter(token=OuterRef("pk")).order_by("-created_at", "-id").values(field)[:1]
        )

    return ConnectionToken.objects.select_related("created_by__employee").annotate(
        last_used=Coalesce(F("last_used_at"), latest_use("created_at")),
        last_method=latest_use("method"),
        last_path=latest_use("path"),
    )


def _overview_queryset(*, organization: Organization, provider: str = "") -> QuerySet[Connection]:
    # Employee counts join one relation only; request facts come from subqueries so rows do not multiply.
    connections = Connection.objects.filter(organization=organization, deleted_at__isnull=True)
    if provider:
        connections = connections.filter(provider=provider)
    return (
        connections.select_related("created_by__employee")
        .annotate(
            last_request_at=_latest_request("created_at"),
            last_healthy_at=_latest_request("created_at", HEALTHY),
            active_employees=Count(
                "provisioned", filter=Q(provisioned__employee__status=Employee.Status.ACTIVE)
            ),
            deactivated_employees=Count(
                "provisioned", filter=Q(provisioned__employee__status=Employee.Status.DEACTIVATED)
            ),
        )
        .prefetch_related(Prefetch("tokens", queryset=token_queryset()))
    )


def _overviews(connections: list[Connection], organization: Organization) -> list[ConnectionOverview]:
    streaks = streaks_for({connection.pk: connection.last_healthy_at for connection in connections})
    return [
        ConnectionOverview(
            connection=connection,
            health=connection_health(
                provisioning_enabled=organization.provisioning_enabled,
                last_request_at=connection.last_request_at,
                last_healthy_at=connection.last_healthy_at,
                streak=streaks.get(connection.pk, NO_STREAK),
            ),
            active_employees=connection.active_employees,
            deactivated_employees=connection.deactivated_employees,
            tokens=list(connection.tokens.all()),
        )
        for connection in connections
    ]


def connection_overview_queryset(*, organization: Organization) -> QuerySet[Connection]:
    """The live connections with what connection_overviews needs, for callers that page them."""
    return _overview_queryset(organization=organization)


def connection_overviews(*, connections, organization: Organization) -> list[ConnectionOverview]:
    """Connections of connection_overview_queryset (a page of them) as the pages and the API show them."""
    return _overviews(list(connections), organization)


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization, deleted_at__isnull=True).select_related(
        "created_by__employee"
    )


def connection_overview_list(*, organization: Organization, provider: str = "") -> list[ConnectionOverview]:
    return _overviews(list(_overview_queryset(organization=organization, provider=provider)), organization)


def connection_get(*, organization: Organization, pk: int) -> Connection:
    """A live connection of this organization, or 404 (another organization's ids do not exist here)."""
    return get_object_or_404(Connection, organization=organization, pk=pk, deleted_at__isnull=True)


def connection_overview_get(*, organization: Organization, pk: int) -> ConnectionOverview:
    connection = get_object_or_404(_overview_queryset(organization=organization), pk=pk)
    return _overviews([connection], organization)[0]


def token_get(*, connection: Connection, pk: int) -> ConnectionToken:
    return get_object_or_404(ConnectionToken, connection=connection, pk=pk)


def connection_base_url(*, connection: Connection, request: HttpRequest) -> str:
    """The SCIM base URL an admin pastes into Okta (no trailing slash; Okta appends /Users)."""
    origin = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    return origin + reverse("scim:root", kwargs={"public_id": connection.public_id}).rstrip("/")


def scim_request_list(
    *,
    connection: Connection,
    outcome: str = "",
    operation: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    q: str = "",
    date_from: datetime.date | str = "",
    date_to: datetime.date | str = "",
    token: int | str | None = "",
) -> QuerySet[ScimRequest]:
    """The connection’s activity, newest first, filtered by outcome, operation, person and dates
    (`since` inclusive, `until` exclusive: the API’s window).

    A person is found by the linked employee's name or email, or, for requests no employee is
    linked to (a refused create), by the keyed digest of the userName typed in full.
    """
    requests = ScimRequest.objects.filter(connection=connection).select_related("employee", "token")
    if outcome:
        requests = requests.filter(outcome=outcome)
    if operation:
        requests = requests.filter(operation=operation)
    if since is not None:
        requests = requests.filter(created_at__gte=since)
    if until is not None:
        requests = requests.filter(created_at__lt=until)
    if q.strip():
        requests = requests.filter(_person_match(q))
    if token:
        requests = requests.filter(token_id=token)
    if date_from:
        requests = requests.filter(created_at__gte=_start_of(date_from))
    if date_to:
        requests = requests.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return requests.order_by("-created_at", "-id")


def _person_match(q: str) -> Q:
    words = q.split()[:6]
    named = Q(employee__isnull=False)
    for word in words:
        named &= (
            Q(employee__first_name__icontains=word)
            | Q(employee__last_name__icontains=word)
            | Q(employee__email__icontains=word)
            | Q(employee__username__icontains=word)
        )
    if "@" in q:
        return named | Q(subject_digest=person_digest(q))
    return named


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def scim_request_get(*, connection: Connection, pk: int) -> ScimRequest:
    return get_object_or_404(
        ScimRequest.objects.select_related("employee", "token"), connection=connection, pk=pk
    )


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


SYNC_HISTORY_LENGTH = 20


def employee_connection(*, employee: Employee) -> Connection | None:
    """The connection that provisions this employee, if any."""
    return Connection.objects.filter(provisioned__employee=employee).first()


def employee_sync_history(*, employee: Employee, limit: int = SYNC_HISTORY_LENGTH) -> list[ScimRequest]:
    """The SCIM requests that concerned this employee, newest first (scimrequest_employee_time)."""
    requests = ScimRequest.objects.filter(employee=employee).select_related("connection")
    return list(requests.order_by("-created_at", "-id")[:limit])


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
