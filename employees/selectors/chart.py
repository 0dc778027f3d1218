"""The org chart (from the manager links) and teams."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import Employee, Organization, Team

CHART_BRANCH_LIMIT = 500


def _chart_people(*, organization_id: int) -> QuerySet[Employee]:
    # Each person's count of active reports is a subquery on the manager index, computed for the
    # rows shown only; a join and GROUP BY over the organization would be planned per statistics,
    # and on fresh rows a planner that expects one row loops over all of them for each.
    active = Employee.Status.ACTIVE
    reports = (
        Employee.objects.filter(manager_id=OuterRef("pk"), status=active)
        .order_by()
        .values("manager_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Employee.objects.filter(organization_id=organization_id, status=active)
        .annotate(report_count=Coalesce(Subquery(reports, output_field=IntegerField()), 0))
        .only("id", "first_name", "last_name", "email", "job_title", "department", "manager_id")
        .order_by("last_name", "first_name", "id")
    )


def chart_roots(*, organization: Organization) -> QuerySet[Employee]:
    """The top of the chart: active people without an active manager (a primary-key probe each)."""
    active_manager = Employee.objects.filter(pk=OuterRef("manager_id"), status=Employee.Status.ACTIVE)
    people = _chart_people(organization_id=organization.pk)
    return people.filter(Q(manager_id__isnull=True) | ~Exists(active_manager))


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
