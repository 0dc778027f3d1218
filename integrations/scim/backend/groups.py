"""Groups: the organization's teams."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from employees import services
from employees.models import Employee, Team

from ..errors import ScimError, not_found
from ..filters import Translated
from .common import Outcome, Page, Scope, as_pk, check_version, filtered, invalid, paged


def _teams(scope: Scope):
    members = Employee.objects.filter(provider_deleted_at__isnull=True).order_by("pk")
    return Team.objects.filter(organization=scope.organization).prefetch_related(
        Prefetch("members", queryset=members)
    )


def group_list(
    scope: Scope, *, translated: Translated | None, sort: str | None, descending: bool, start: int, count: int
) -> Page:
    order = [f"-{sort}" if descending else sort, "pk"] if sort else ["pk"]
    return paged(filtered(_teams(scope), translated), order=order, start=start, count=count)


def group_get(scope: Scope, *, pk: str) -> Team:
    number = as_pk(pk)
    team = _teams(scope).filter(pk=number).first() if number else None
    if team is None:
        raise not_found(f"Group {pk} not found.")
    return team


def _member_ids(ids: list[str]) -> list[int]:
    numbers = [as_pk(str(value)) for value in ids]
    if None in numbers:
        raise ScimError(400, "Group members must be user ids of this service.", "invalidValue")
    return numbers


def group_create(scope: Scope, *, fields: dict) -> Outcome:
    if not fields["name"]:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        team = services.team_create(
            organization=scope.organization,
            name=fields["name"],
            external_id=fields["external_id"],
            source_connection=scope.connection,
            member_ids=_member_ids(fields["member_ids"]),
        )
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Outcome(obj=group_get(scope, pk=str(team.pk)), operation="group", created=True)


def group_update(scope: Scope, *, pk: str, change: Callable[[Team], dict], if_match: str | None) -> Outcome:
    team = group_get(scope, pk=pk)
    check_version(team.version, if_match)
    fields = change(team)
    if not fields["name"]:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        if (fields["name"], fields["external_id"]) != (team.name, team.external_id):
            services.team_update(team=team, name=fields["name"], external_id=fields["external_id"])
        services.team_set_members(team=team, member_ids=_member_ids(fields["member_ids"]))
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Outcome(obj=group_get(scope, pk=pk), operation="group")


def group_delete(scope: Scope, *, pk: str, if_match: str | None) -> Outcome:
    team = group_get(scope, pk=pk)
    check_version(team.version, if_match)
    services.team_delete(team=team)
    return Outcome(obj=None, operation="group")
