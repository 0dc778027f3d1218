"""Connections and their tokens as the settings pages and the API show them."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee, Organization

from ..models import Connection, ConnectionToken, ScimRequest
from ..status import HEALTHY, NO_STREAK, Health, connection_health, streaks_for

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
