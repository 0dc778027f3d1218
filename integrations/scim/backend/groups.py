"""Groups: the organization's teams."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from employees import services
from employees.models import Employee, Team
from integrations import ownership
from integrations import services as integration_services

from ..errors import ScimError, not_found
from .attributes import GROUP_ATTRIBUTES, GROUP_ID_PREFIX
from .common import Outcome, Page, Scope, check_version, filtered, invalid, list_order, paged
from .filters import as_pk, group_id, to_q


def _teams(scope: Scope):
    # Members another connection owns do not exist here (integrations.ownership).
    members = (
        Employee.objects.filter(provider_deleted_at__isnull=True)
        .exclude(ownership.owned_elsewhere(connection_id=scope.connection.pk))
        .order_by("pk")
    )
    return Team.objects.filter(organization=scope.organization).prefetch_related(
        Prefetch("members", queryset=members)
    )


def group_list(scope: Scope, query) -> Page:
    """A page of groups for a ListQuery (filter, sortBy, startIndex, count as the client sent them)."""
    translated = to_q(query.filter, GROUP_ATTRIBUTES) if query.filter else None
    return groups_page(scope, translated=translated, query=query)


def groups_page(scope: Scope, *, translated, query) -> Page:
    order = list_order(query, GROUP_ATTRIBUTES)
    return paged(filtered(_teams(scope), translated), order=order, start=query.start, count=query.count)


def group_get(scope: Scope, *, pk: str) -> Team:
    number = as_pk(pk, GROUP_ID_PREFIX)
    try:
        if number is None:
            raise Team.DoesNotExist
        return _teams(scope).get(pk=number)
    except Team.DoesNotExist:
        raise not_found(f"Group {pk} not found.") from None


def _member_ids(scope: Scope, ids: list[str]) -> list[int]:
    numbers = [as_pk(str(value)) for value in ids]
    if None in numbers:
        raise ScimError(400, "Group members must be user ids of this service.", "invalidValue")
    hidden = _owned_elsewhere(scope, numbers)
    if hidden:
        raise ScimError(400, f"No employee with id {min(hidden)} in this organization.", "invalidValue")
    return numbers


def _owned_elsewhere(scope: Scope, numbers) -> list[int]:
    """Of these employee ids, those another connection owns."""
    if not numbers:
        return []
    return list(
        Employee.objects.filter(pk__in=numbers, organization_id=scope.organization.pk)
        .filter(ownership.owned_elsewhere(connection_id=scope.connection.pk))
        .values_list("pk", flat=True)
    )


def group_create(scope: Scope, *, fields: dict) -> Outcome:
    if not fields["name"]:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        with transaction.atomic():
            team = services.team_create(
                organization=scope.organization,
                name=fields["name"],
                external_id=fields["external_id"],
                member_ids=_member_ids(scope, fields["member_ids"]),
            )
            integration_services.team_provisioned_by(team=team, connection=scope.connection)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Outcome(obj=group_get(scope, pk=group_id(team.pk)), operation="group", created=True)


def group_update(scope: Scope, *, pk: str, change: Callable[[Team], dict], if_match: str | None) -> Outcome:
    team = group_get(scope, pk=pk)
    check_version(team.version, if_match)
    fields = change(team)
    if not fields["name"]:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        if (fields["name"], fields["external_id"]) != (team.name, team.external_id):
            services.team_update(team=team, name=fields["name"], external_id=fields["external_id"])
        # Members another connection owns stay: this one neither sees nor removes them.
        hidden = _owned_elsewhere(scope, list(team.members.values_list("pk", flat=True)))
        member_ids = _member_ids(scope, fields["member_ids"]) + hidden
        services.team_set_members(team=team, member_ids=member_ids)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Outcome(obj=group_get(scope, pk=pk), operation="group")


def group_delete(scope: Scope, *, pk: str, if_match: str | None) -> Outcome:
    team = group_get(scope, pk=pk)
    check_version(team.version, if_match)
    services.team_delete(team=team)
    return Outcome(obj=None, operation="group")
