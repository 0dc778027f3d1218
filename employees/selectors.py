"""Reads from the HR domain. Every function is scoped to one organization."""

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Employee, Organization
from .signals import employee_fields_managed


def organization_get(*, pk: int) -> Organization:
    """A fresh copy of the signed-in employee's organization, for a write that may be refused."""
    return Organization.objects.get(pk=pk)


def employee_list(
    *, organization: Organization, search: str = "", status: str = "", department: str = ""
) -> QuerySet[Employee]:
    employees = Employee.objects.filter(organization=organization).select_related("manager")
    if search:
        for word in search.split():
            employees = employees.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(display_name__icontains=word)
            )
    if status:
        employees = employees.filter(status=status)
    if department:
        employees = employees.filter(department__iexact=department)
    return employees


def employee_get(*, organization: Organization, pk: int) -> Employee:
    """The employee of this organization, or 404: another organization's ids do not exist here."""
    return get_object_or_404(
        Employee.objects.select_related("manager", "organization"), organization=organization, pk=pk
    )


def employee_direct_reports(*, employee: Employee) -> QuerySet[Employee]:
    return Employee.objects.filter(organization_id=employee.organization_id, manager=employee)


def department_names(*, organization: Organization) -> list[str]:
    return list(
        Employee.objects.filter(organization=organization)
        .exclude(department="")
        .values_list("department", flat=True)
        .distinct()
        .order_by("department")
    )


def employee_counts(*, organization: Organization) -> dict[str, int]:
    counts = Employee.objects.filter(organization=organization).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Employee.Status.ACTIVE))
    )
    counts["deactivated"] = counts["total"] - counts["active"]
    return counts


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
    manager_exists = Employee.objects.annotate(email_lower=Lower("email")).filter(
        organization_id=OuterRef("organization_id"), email_lower=Lower(OuterRef("manager_email"))
    )
    return list(
        Employee.objects.filter(
            manager_link=Employee.ManagerLink.PENDING, manager_link_pending_since__lt=before
        )
        .filter(Exists(manager_exists))
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()[:limit]
    )


def background_backlog() -> dict:
    """Unfinished background work as recorded in the database, for the health command and view."""
    now = timezone.now()
    deactivations = Employee.objects.filter(
        status=Employee.Status.DEACTIVATED, deactivation_applied_at__isnull=True
    ).aggregate(count=Count("id"), oldest=Min("deactivated_at"))
    links = Employee.objects.filter(manager_link=Employee.ManagerLink.PENDING).aggregate(
        count=Count("id"), oldest=Min("manager_link_pending_since")
    )
    unresolved = Employee.objects.filter(manager_link=Employee.ManagerLink.UNRESOLVED).count()

    def age(moment):
        return round((now - moment).total_seconds(), 1) if moment else None

    return {
        "deactivations_pending": deactivations["count"],
        "oldest_deactivation_pending_seconds": age(deactivations["oldest"]),
        "manager_links_pending": links["count"],
        "oldest_manager_link_pending_seconds": age(links["oldest"]),
        "manager_links_unresolved": unresolved,
    }


def employee_unresolved_manager_links(*, organization: Organization) -> QuerySet[Employee]:
    """Employees whose manager email could not be linked (self-reference, cycle), for the admins."""
    return Employee.objects.filter(
        organization=organization, manager_link=Employee.ManagerLink.UNRESOLVED
    ).order_by("email")


def employee_managed_fields(*, employee: Employee) -> dict[str, str]:
    """Field name → who manages it, for the fields that are read-only in the portal."""
    managed: dict[str, str] = {}
    for _receiver, answer in employee_fields_managed.send(sender=Employee, employee=employee):
        if answer:
            manager, fields = answer
            managed.update(dict.fromkeys(fields, manager))
    return managed
