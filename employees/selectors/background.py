"""Unfinished background work as the database records it: the sweep's and health's reads."""

from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest, Lower
from django.utils import timezone

from ..models import BackgroundHeartbeat, Employee, Organization


def deactivation_organizations_pending(*, before, limit: int) -> list[int]:
    """Organizations with a deactivation requested before `before` and not yet applied (partial index)."""
    return list(
        Employee.objects.filter(
            status=Employee.Status.DEACTIVATED,
            deactivation_applied_at__isnull=True,
            deactivated_at__lt=before,
        )
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()[:limit]
    )


def manager_link_organizations_resolvable(*, before, limit: int) -> list[int]:
    """Organizations with a manager link pending since before `before` whose manager now exists.

    Links still waiting for a manager nobody has provisioned are skipped: resolving them
    again would change nothing, and the manager's arrival enqueues them anyway.
    """
    return list(
        Employee.objects.filter(
            manager_link=Employee.ManagerLink.PENDING, manager_link_pending_since__lt=before
        )
        .filter(_manager_exists())
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()[:limit]
    )


def _manager_exists():
    """Whether the pending link's manager (by email, case-insensitively) is an employee now."""
    return Exists(
        Employee.objects.annotate(email_lower=Lower("email")).filter(
            organization_id=OuterRef("organization_id"), email_lower=Lower(OuterRef("manager_email"))
        )
    )


def background_backlog() -> dict:
    """Unfinished background work as recorded in the database, per kind, for health reports.

    Pending manager links are split in two: those whose manager exists are due (a run should link
    them within seconds), those waiting for a manager not provisioned yet are not stuck, only early.
    Each count and age is read through the partial indexes that hold only unfinished work.
    """
    now = timezone.now()
    deactivations = Employee.objects.filter(
        status=Employee.Status.DEACTIVATED, deactivation_applied_at__isnull=True
    ).aggregate(count=Count("id"), oldest=Min("deactivated_at"))
    pending = Employee.objects.filter(manager_link=Employee.ManagerLink.PENDING)
    # A link is due from the later of its pending time and its manager's arrival: a report that
    # waited an hour for its manager is not an hour late the moment the manager is provisioned.
    manager_created = (
        Employee.objects.annotate(email_lower=Lower("email"))
        .filter(organization_id=OuterRef("organization_id"), email_lower=Lower(OuterRef("manager_email")))
        .values("created_at")[:1]
    )
    due = (
        pending.filter(_manager_exists())
        .annotate(due_since=Greatest("manager_link_pending_since", Subquery(manager_created)))
        .aggregate(count=Count("id"), oldest=Min("due_since"))
    )
    waiting = pending.exclude(_manager_exists()).aggregate(
        count=Count("id"), oldest=Min("manager_link_pending_since")
    )
    unresolved = Employee.objects.filter(manager_link=Employee.ManagerLink.UNRESOLVED).count()

    def age(moment):
        return round((now - moment).total_seconds(), 1) if moment else None

    return {
        "deactivations_pending": deactivations["count"],
        "oldest_deactivation_pending_seconds": age(deactivations["oldest"]),
        "manager_links_due": due["count"],
        "oldest_manager_link_due_seconds": age(due["oldest"]),
        "manager_links_waiting_for_manager": waiting["count"],
        "oldest_manager_link_waiting_seconds": age(waiting["oldest"]),
        "manager_links_unresolved": unresolved,
    }


def background_heartbeats() -> dict[str, float | None]:
    """Seconds since a worker, and beat, were last seen (None: never)."""
    now = timezone.now()
    seen = dict(BackgroundHeartbeat.objects.values_list("kind", "seen_at"))
    return {
        f"{kind}_last_seen_seconds": (round((now - seen[kind]).total_seconds(), 1) if kind in seen else None)
        for kind in BackgroundHeartbeat.Kind.values
    }


def employee_unresolved_manager_links(*, organization: Organization) -> QuerySet[Employee]:
    """Employees whose manager email could not be linked (self-reference, cycle), for the admins."""
    return Employee.objects.filter(
        organization=organization, manager_link=Employee.ManagerLink.UNRESOLVED
    ).order_by("email")


# The org chart: active people only, each with the number of active direct reports, so a branch
# is drawn (and loaded on demand) only where there is something under it.
