"""Held deactivations and the decisions about them, for the Settings pages."""

from django.db.models import Count, QuerySet

from employees.models import Organization

from ..models import GuardDecision, ProvisionedDeactivation


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
