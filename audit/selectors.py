"""Reads of the audit trail, always scoped to one organization."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from employees.models import Organization

from .models import AuditEvent


def audit_event_list(
    *,
    organization: Organization,
    action: str = "",
    actor: str = "",
    date_from: datetime.date | str = "",
    date_to: datetime.date | str = "",
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organization=organization)
    if action:
        events = events.filter(action=action)
    if actor.strip():
        for word in actor.split()[:6]:
            events = events.filter(Q(actor_name__icontains=word) | Q(actor_email__icontains=word))
    if date_from:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def audit_actions_used(*, organization: Organization) -> list[str]:
    return list(
        AuditEvent.objects.filter(organization=organization)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
