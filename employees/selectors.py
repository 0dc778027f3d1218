"""Reads from the HR domain. Every function is scoped to one organization."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Greatest, Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .custom_fields import custom_value_clean, custom_value_display
from .models import BackgroundHeartbeat, CustomField, Employee, Organization, Team
from .signals import employee_fields_managed


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
CHART_BRANCH_LIMIT = 500


def _chart_people(*, organization_id: int) -> QuerySet[Employee]:
    active = Employee.Status.ACTIVE
    return (
        Employee.objects.filter(organization_id=organization_id, status=active)
        .annotate(report_count=Count("direct_reports", filter=Q(direct_reports__status=active)))
        .only("id", "first_name", "last_name", "email", "job_title", "department", "manager_id")
        .order_by("last_name", "first_name", "id")
    )


def chart_roots(*, organization: Organization) -> QuerySet[Employee]:
    """The top of the chart: active people without an active manager."""
    people = _chart_people(organization_id=organization.pk)
    return people.filter(Q(manager__isnull=True) | ~Q(manager__status=Employee.Status.ACTIVE))


def chart_person(*, organization: Organization, pk: int) -> Employee:
    """An active employee of this organization as the chart draws them, or 404."""
    return get_object_or_404(_chart_people(organization_id=organization.pk), pk=pk)


def chart_reports(*, employee: Employee) -> QuerySet[Employee]:
    return _chart_people(organization_id=employee.organization_id).filter(manager_id=employee.pk)


def employee_chain(*, employee: Employee, limit: int = 100) -> list[Employee]:
    """The reporting line from the top of the chart down to `employee` (active managers only).

    One query a level: lines are short, and the links never form a cycle (the resolver refuses
    cycles); `seen` and `limit` keep a damaged row from looping anyway.
    """
    chain, seen = [employee], {employee.pk}
    while chain[-1].manager_id and chain[-1].manager_id not in seen and len(chain) < limit:
        people = _chart_people(organization_id=employee.organization_id)
        manager = people.filter(pk=chain[-1].manager_id).first()
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
    return chain[::-1]


def team_list(*, organization: Organization, search: str = "") -> QuerySet[Team]:
    teams = (
        Team.objects.filter(organization=organization)
        .annotate(member_count=Count("members"))
        .select_related("provisioning__connection")
        .order_by("name", "id")
    )
    if search:
        teams = teams.filter(name__icontains=search)
    return teams


def team_get(*, organization: Organization, pk: int) -> Team:
    return get_object_or_404(
        Team.objects.select_related("provisioning__connection"), organization=organization, pk=pk
    )


def team_members(*, team: Team) -> QuerySet[Employee]:
    return team.members.select_related("manager").order_by("last_name", "first_name", "id")


def custom_fields_list(*, organization: Organization) -> QuerySet[CustomField]:
    """Every custom field, the archived ones last."""
    return CustomField.objects.filter(organization=organization).order_by(
        F("archived_at").asc(nulls_first=True), "position", "id"
    )


def custom_field_get(*, organization: Organization, pk: int) -> CustomField:
    return get_object_or_404(CustomField, organization=organization, pk=pk)


def custom_field_holders(*, field: CustomField) -> int:
    """How many employees have a value stored for this field."""
    return Employee.objects.filter(
        organization_id=field.organization_id, custom_values__has_key=field.key
    ).count()


def employee_custom_values(*, employee: Employee) -> list[tuple[CustomField, str]]:
    """The organization's active custom fields with this employee's value, as the profile shows them."""
    fields = CustomField.objects.filter(organization_id=employee.organization_id, archived_at__isnull=True)
    return [(field, custom_value_display(field, employee.custom_values.get(field.key))) for field in fields]


def employees_with_custom_value(
    employees: QuerySet[Employee], *, field: CustomField, value: str
) -> QuerySet[Employee]:
    """Narrow a directory query to one custom field's value: text contains it, other types equal it."""
    # Transforms built from the key, not a "custom_values__<key>" lookup string: a key may be
    # named like a lookup ("contains") and must never be parsed as one.
    if field.field_type == CustomField.Type.TEXT:
        text = KeyTextTransform(field.key, "custom_values")
        return employees.annotate(custom_text=text).filter(custom_text__icontains=value)
    try:
        wanted = custom_value_clean(field, value)
    except ValidationError:
        return employees.none()
    if wanted is None:
        return employees
    return employees.annotate(custom_value=KeyTransform(field.key, "custom_values")).filter(
        custom_value=wanted
    )


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


def sign_in_event_list(*, organization: Organization):
    from .models import SignInEvent

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
