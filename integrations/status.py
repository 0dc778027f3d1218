"""A connection's status from a window of its activity, with the reason, and its 24 h / 7 d summary.

The status is not the latest request's: one stray 401 (an old IdP instance still holding a
revoked token) must not turn a working connection "Failing". What counts is the *streak*: the
failed requests since the last healthy one. FAILING_AFTER of them in a row, or any failure on a
connection that has never had a healthy answer, is "Failing: 12 × 401 invalid token since
12:03"; fewer are shown as a note beside "Connected". A connection whose last request is older
than IDLE_AFTER is "Idle since …" (Okta only calls when something changes).
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from http import HTTPStatus
from operator import or_

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import ScimRequest

# Answers that are part of a healthy conversation with an IdP: Okta looks users up by id and
# gets 404 for ones deleted here, and a duplicate create is answered 409 by design (RFC 7644 §3.3).
EXPECTED_CLIENT_ERRORS = (404, 409)
HEALTHY = Q(outcome=ScimRequest.Outcome.SUCCESS) | Q(status_code__in=EXPECTED_CLIENT_ERRORS)
FAILING_AFTER = 3
IDLE_AFTER = datetime.timedelta(hours=24)

# What a failure means, in the words an admin acts on.
FAILURE_WORDS = {
    400: "bad request",
    401: "invalid token",
    403: "provisioning not enabled",
    412: "version mismatch",
    413: "body too large",
    415: "wrong content type",
    429: "rate limited",
    500: "server error",
    503: "service unavailable",
}


class Status:
    WAITING = "waiting"
    CONNECTED = "connected"
    FAILING = "failing"
    IDLE = "idle"
    DISABLED = "disabled"

    LABELS = {
        WAITING: "Waiting for the first request",
        CONNECTED: "Connected",
        FAILING: "Failing",
        IDLE: "Idle",
        DISABLED: "Paused: provisioning not enabled",
    }


@dataclass(frozen=True)
class Streak:
    """Failed requests since the last healthy one: how many of each status, from when."""

    counts: dict[int, int]
    since: datetime.datetime | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        parts = [
            f"{count} × {status} {failure_words(status)}"
            for status, count in Counter(self.counts).most_common(2)
        ]
        return f"{', '.join(parts)} since {_clock(self.since)}" if parts else ""


NO_STREAK = Streak(counts={}, since=None)


@dataclass(frozen=True)
class Health:
    status: str
    reason: str
    last_request_at: datetime.datetime | None
    last_healthy_at: datetime.datetime | None

    @property
    def label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def text(self) -> str:
        """ "Failing: 12 × 401 invalid token since 12:03", as one line."""
        return f"{self.label}: {self.reason}" if self.reason else self.label


def failure_words(status: int) -> str:
    if status in FAILURE_WORDS:
        return FAILURE_WORDS[status]
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


def _clock(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%-d %b %H:%M}"


def connection_health(
    *,
    provisioning_enabled: bool,
    last_request_at: datetime.datetime | None,
    last_healthy_at: datetime.datetime | None,
    streak: Streak,
    now: datetime.datetime | None = None,
) -> Health:
    now = now or timezone.now()

    def health(status: str, reason: str = "") -> Health:
        return Health(status, reason, last_request_at, last_healthy_at)

    if not provisioning_enabled:
        return health(Status.DISABLED, "requests are refused until support enables it")
    if last_request_at is None:
        return health(Status.WAITING)
    if streak.total >= FAILING_AFTER or (streak.total and last_healthy_at is None):
        return health(Status.FAILING, streak.describe())
    if now - last_request_at > IDLE_AFTER:
        return health(Status.IDLE, f"no requests since {_clock(last_request_at)}")
    if streak.total:
        return health(Status.CONNECTED, f"{streak.describe()}; last success at {_clock(last_healthy_at)}")
    return health(Status.CONNECTED)


def streaks_for(last_healthy: dict[int, datetime.datetime | None]) -> dict[int, Streak]:
    """Each connection's failures since its last healthy request, in one grouped query.

    One OR-branch per connection, each a range of the (connection, created_at) index.
    """
    if not last_healthy:
        return {}
    branches = [
        Q(connection_id=pk, created_at__gt=since) if since else Q(connection_id=pk)
        for pk, since in last_healthy.items()
    ]
    rows = (
        ScimRequest.objects.filter(reduce(or_, branches))
        .exclude(HEALTHY)
        .values("connection_id", "status_code")
        .annotate(count=Count("id"), first=Min("created_at"))
        .order_by()
    )
    counts: dict[int, dict[int, int]] = {}
    firsts: dict[int, datetime.datetime] = {}
    for row in rows:
        pk = row["connection_id"]
        counts.setdefault(pk, {})[row["status_code"]] = row["count"]
        firsts[pk] = min(firsts.get(pk, row["first"]), row["first"])
    return {pk: Streak(counts=counts.get(pk, {}), since=firsts.get(pk)) for pk in last_healthy}


@dataclass(frozen=True)
class Summary:
    created: int
    updated: int
    deactivated: int
    errors: int


@dataclass(frozen=True)
class ActivitySummary:
    day: Summary
    week: Summary
    last_healthy_at: datetime.datetime | None


def activity_summary(
    *, connection, last_healthy_at=None, now: datetime.datetime | None = None
) -> ActivitySummary:
    """Created, updated, deactivated and errors over the last 24 h and 7 days, in one query."""
    now = now or timezone.now()
    day_start, week_start = now - datetime.timedelta(hours=24), now - datetime.timedelta(days=7)
    succeeded = Q(outcome=ScimRequest.Outcome.SUCCESS)
    kinds = {
        "created": succeeded & Q(operation=ScimRequest.Operation.CREATE),
        "updated": succeeded
        & Q(operation__in=[ScimRequest.Operation.UPDATE, ScimRequest.Operation.REACTIVATE]),
        "deactivated": succeeded & Q(operation=ScimRequest.Operation.DEACTIVATE),
        "errors": ~HEALTHY,
    }
    aggregates = {}
    for name, condition in kinds.items():
        aggregates[f"day_{name}"] = Count("id", filter=condition & Q(created_at__gte=day_start))
        aggregates[f"week_{name}"] = Count("id", filter=condition)
    totals = ScimRequest.objects.filter(connection=connection, created_at__gte=week_start).aggregate(
        **aggregates
    )
    return ActivitySummary(
        day=Summary(**{name: totals[f"day_{name}"] for name in kinds}),
        week=Summary(**{name: totals[f"week_{name}"] for name in kinds}),
        last_healthy_at=last_healthy_at,
    )
