"""Reads from the HR domain. Every function is scoped to one organization."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Employee, Organization


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
