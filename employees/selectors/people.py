"""Employees and organizations as the portal's pages and sign-in read them."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Employee, Organization, SignInEvent
from ..signals import employee_fields_managed


def organization_get(*, pk: int) -> Organization:
    """A fresh copy of the signed-in employee's organization, for a write that may be refused."""
    return Organization.objects.get(pk=pk)


def employee_list(
    *,
    organization: Organization,
    search: str = "",
    status: str = "",
    department: str = "",
    manager_id: int | None = None,
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
    if manager_id is not None:
        employees = employees.filter(manager_id=manager_id)
    return employees


def employee_get(*, organization: Organization, pk: int) -> Employee:
    """The employee of this organization, or 404: another organization's ids do not exist here."""
    return get_object_or_404(
        Employee.objects.select_related("manager", "organization"), organization=organization, pk=pk
    )


def employee_direct_reports(*, employee: Employee) -> QuerySet[Employee]:
    return Employee.objects.filter(organization_id=employee.organization_id, manager=employee)


def employee_reports_moved_away(*, employee: Employee) -> QuerySet[Employee]:
    """Reports the "reassign reports" policy moved away from this employee when they were deactivated."""
    return (
        Employee.objects.filter(organization_id=employee.organization_id, moved_from_manager=employee)
        .select_related("manager")
        .order_by("last_name", "first_name", "pk")
    )


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


def employee_for_email(*, pk: int) -> Employee | None:
    """An employee with their organization and login account, for an account email."""
    return Employee.objects.select_related("organization", "user").filter(pk=pk).first()


def employee_for_password_link(*, user_id: int) -> Employee | None:
    """The employee a set-password link belongs to (the link names their login account)."""
    return Employee.objects.select_related("organization", "user").filter(user_id=user_id).first()


def employees_signing_in_as(*, email: str) -> list[Employee]:
    """Active employees with this email, in every organization (emails are unique per organization)."""
    return list(
        Employee.objects.select_related("organization", "user").filter(
            email__iexact=email.strip(), status=Employee.Status.ACTIVE
        )[:20]
    )


def sign_in_event_list(*, organization: Organization) -> QuerySet[SignInEvent]:
    return SignInEvent.objects.filter(organization=organization).select_related("employee")


def invitations_unsent(*, before, limit: int) -> list[int]:
    """Employees whose invitation email has waited since before `before` (its message was lost)."""
    return list(
        Employee.objects.filter(invitation_pending_since__lt=before)
        .order_by("invitation_pending_since")
        .values_list("pk", flat=True)[:limit]
    )


def employee_managed_fields(*, employee: Employee) -> dict[str, str]:
    """Field name → who manages it, for the fields that are read-only in the portal."""
    managed: dict[str, str] = {}
    for _receiver, answer in employee_fields_managed.send(sender=Employee, employee=employee):
        if answer:
            manager, fields = answer
            managed.update(dict.fromkeys(fields, manager))
    return managed
