"""The SCIM activity record: a connection's requests, its chart, an employee's sync history."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from employees.models import Employee

from ..models import Connection, ScimRequest
from ..scim.activity import person_digest

CHART_DAYS = 30


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    success: int
    client_error: int
    server_error: int

    @property
    def total(self) -> int:
        return self.success + self.client_error + self.server_error


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
