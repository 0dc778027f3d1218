"""Alert emails to an organization's integration admins, and their weekly digest.

Conditions are checked by a periodic task (integrations.tasks.check_alerts) or raised by the
feature that sees them (alert_brake_held). Each is keyed per connection ("failing:12"), and
AlertState makes two promises: an alert is sent when a condition *starts* (not again while it
lasts), and never more than once an hour per key, however it flaps. The claim is one
conditional UPDATE, so two workers checking at once send one email, and it shares a transaction
with the sending: an email that could not be sent leaves the claim undone for the next check.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee, Organization

from . import selectors
from .models import AlertPreference, AlertState, Connection, ConnectionToken
from .status import Status, activity_summary

THROTTLE = datetime.timedelta(hours=1)
LINKS_UNRESOLVED_AFTER = datetime.timedelta(days=1)
EXPIRY_REMINDER_BEFORE = datetime.timedelta(days=7)
DIGEST_EVERY = datetime.timedelta(days=6)  # weekly, with a day's slack for a late beat


def alert_recipients(*, organization: Organization, digest: bool = False) -> list[str]:
    """Active integration admins who have not opted out (of alerts, or of the digest)."""
    opted_out = AlertPreference.objects.filter(**{"digest" if digest else "alerts": False})
    return list(
        Employee.objects.filter(organization=organization, status=Employee.Status.ACTIVE)
        .filter(Q(is_org_admin=True) | Q(can_manage_integrations=True))
        .exclude(pk__in=opted_out.values("employee_id"))
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _send(recipients: Iterable[str], subject: str, body: str) -> int:
    """One message per person (no one sees the others' addresses), over one SMTP connection."""
    messages = [EmailMessage(f"[Engagedly] {subject}", body, to=[address]) for address in recipients]
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages(messages) or 0


def _link(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _connection_link(connection: Connection) -> str:
    return _link(reverse("integrations:connection", args=[connection.pk]))


def _state(organization: Organization, key: str) -> AlertState:
    state, _ = AlertState.objects.get_or_create(organization=organization, key=key)
    return state


def _claim(organization: Organization, key: str, *, now, every=THROTTLE, episode: bool = True) -> bool:
    """Take the right to send `key` now: not while its episode is already alerted (`episode`),
    and not within `every` of the last one. One conditional UPDATE: one winner."""
    _state(organization, key)
    claimable = AlertState.objects.filter(organization=organization, key=key).filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - every)
    )
    if episode:
        claimable = claimable.filter(active=False)
    return claimable.update(active=True, last_sent_at=now) == 1


def _condition_cleared(organization: Organization, key: str) -> None:
    AlertState.objects.filter(organization=organization, key=key, active=True).update(active=False)


def _alert(organization: Organization, key: str, subject: str, body: str, *, now, episode=True) -> int:
    with transaction.atomic():
        if not _claim(organization, key, now=now, episode=episode):
            return 0
        return _send(alert_recipients(organization=organization), subject, body)


def check_connection_failing(*, organization: Organization, now=None) -> int:
    """Email when a connection starts failing (its status computed from the failure streak)."""
    now = now or timezone.now()
    sent = 0
    for overview in selectors.connection_overview_list(organization=organization):
        connection, key = overview.connection, f"failing:{overview.connection.pk}"
        if overview.status != Status.FAILING:
            _condition_cleared(organization, key)
            continue
        body = (
            f"The connection “{connection.name}” is failing: {overview.health.reason}.\n\n"
            "Your identity provider's changes are not reaching Engagedly until this is fixed. "
            f"See the activity and what each request was told:\n{_connection_link(connection)}\n"
        )
        sent += _alert(organization, key, f"“{connection.name}” is failing", body, now=now)
    return sent


def check_manager_links(*, organization: Organization, now=None) -> int:
    """Email when manager links of a connection have stayed unresolved for a day."""
    now = now or timezone.now()
    cutoff = now - LINKS_UNRESOLVED_AFTER
    sent = 0
    for connection in selectors.connection_list(organization=organization):
        stuck = selectors.manager_link_problems(connection=connection).filter(
            Q(manager_link=Employee.ManagerLink.PENDING, manager_link_pending_since__lte=cutoff)
            | Q(manager_link=Employee.ManagerLink.UNRESOLVED, updated_at__lte=cutoff)
        )
        count, key = stuck.count(), f"links:{connection.pk}"
        if not count:
            _condition_cleared(organization, key)
            continue
        body = (
            f"{count} employee(s) provisioned by “{connection.name}” have had a manager link "
            "unresolved for more than a day: their manager's email matches nobody here, or the "
            f"link would make a cycle.\n\nThe list, with each reason:\n{_connection_link(connection)}\n"
        )
        sent += _alert(
            organization, key, f"Manager links unresolved for a day ({connection.name})", body, now=now
        )
    return sent


def check_token_expiry(*, organization: Organization, now=None) -> int:
    """Remind a week before a token expires, once per token."""
    now = now or timezone.now()
    sent = 0
    expiring = ConnectionToken.objects.filter(
        connection__organization=organization,
        connection__deleted_at__isnull=True,
        revoked_at__isnull=True,
        expiry_reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + EXPIRY_REMINDER_BEFORE,
    ).select_related("connection")
    for token in expiring:
        with transaction.atomic():
            # Once per token, whoever else is checking.
            if not ConnectionToken.objects.filter(pk=token.pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=now
            ):
                continue
            body = (
                f"The token {token.display_name} of “{token.connection.name}” expires on "
                f"{timezone.localtime(token.expires_at):%-d %b %Y at %H:%M}. After that your identity "
                "provider's requests with it are refused.\n\nGenerate a new token, paste it into your "
                f"identity provider, then revoke this one:\n{_connection_link(token.connection)}\n"
            )
            sent += _send(
                alert_recipients(organization=organization),
                f"A token of “{token.connection.name}” expires soon",
                body,
            )
    return sent


def alert_brake_held(*, connection: Connection, held: int, now=None) -> int:
    """Called by the deactivation brake when it holds people for an admin's decision."""
    now = now or timezone.now()
    body = (
        f"“{connection.name}” asked to deactivate more people than your threshold allows: {held} "
        "deactivation(s) are held until an admin decides.\n\nReview them:\n"
        f"{_connection_link(connection)}\n"
    )
    return _alert(
        connection.organization,
        f"brake:{connection.pk}",
        f"Deactivations held for your decision ({connection.name})",
        body,
        now=now,
        episode=False,  # every hold is news, at most hourly
    )


def check_organization_alerts(*, organization: Organization, now=None) -> int:
    now = now or timezone.now()
    return (
        check_connection_failing(organization=organization, now=now)
        + check_manager_links(organization=organization, now=now)
        + check_token_expiry(organization=organization, now=now)
    )


def send_digest(*, organization: Organization, now=None) -> int:
    """The weekly digest: each connection's status and its last 7 days, once a week."""
    now = now or timezone.now()
    overviews = selectors.connection_overview_list(organization=organization)
    if not overviews:
        return 0
    lines = [f"Provisioning in {organization.name}, the last 7 days:\n"]
    for overview in overviews:
        summary = activity_summary(
            connection=overview.connection, last_healthy_at=overview.health.last_healthy_at, now=now
        ).week
        lines.append(
            f"• {overview.connection.name}: {overview.health.text}. {summary.created} created, "
            f"{summary.updated} updated, {summary.deactivated} deactivated, {summary.errors} errors.\n"
            f"  {_connection_link(overview.connection)}"
        )
    lines.append(f"\nStop these emails: {_link(reverse('integrations:alert-preferences'))}")
    with transaction.atomic():
        if not _claim(organization, "digest", now=now, every=DIGEST_EVERY, episode=False):
            return 0
        return _send(
            alert_recipients(organization=organization, digest=True),
            "Your weekly provisioning digest",
            "\n".join(lines),
        )
