"""Teams (groups of employees)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Employee, Organization, Team


@transaction.atomic
def team_create(*, organization: Organization, name: str, external_id: str = "", member_ids=()) -> Team:
    team = Team(
        organization=organization,
        name=(name or "").strip(),
        external_id=(external_id or "").strip(),
    )
    team.full_clean(exclude=["organization", "members"])
    team.save(force_insert=True)
    if member_ids:
        team.members.set(_organization_member_ids(organization=organization, member_ids=member_ids))
    return team


def _organization_member_ids(*, organization: Organization, member_ids) -> list[int]:
    wanted = {int(pk) for pk in member_ids}
    found = set(
        Employee.objects.filter(organization=organization, pk__in=wanted).values_list("pk", flat=True)
    )
    missing = wanted - found
    if missing:
        raise ValidationError({"members": f"No employee with id {min(missing)} in this organization."})
    return sorted(found)


@transaction.atomic
def team_update(*, team: Team, name: str | None = None, external_id: str | None = None) -> Team:
    if name is not None:
        team.name = name.strip()
    if external_id is not None:
        team.external_id = external_id.strip()
    team.full_clean(exclude=["organization", "members"])
    team.version += 1
    team.save(update_fields=["name", "external_id", "version", "updated_at"])
    return team


@transaction.atomic
def team_set_members(*, team: Team, member_ids) -> Team:
    """Make the team's members exactly these employees of its organization."""
    wanted = set(_organization_member_ids(organization=team.organization, member_ids=member_ids))
    current = set(team.members.values_list("pk", flat=True))
    if wanted - current:
        team.members.add(*(wanted - current))
    if current - wanted:
        team.members.remove(*(current - wanted))
    if wanted != current:
        team.version += 1
        team.save(update_fields=["version", "updated_at"])
    return team


@transaction.atomic
def team_delete(*, team: Team) -> None:
    team.delete()


@transaction.atomic
def team_add_member(*, team: Team, employee: Employee) -> bool:
    """Add one employee of the team's organization; False when they already belong."""
    if employee.organization_id != team.organization_id:
        raise ValidationError({"email": "No employee with this email in this organization."})
    if team.members.filter(pk=employee.pk).exists():
        return False
    team.members.add(employee)
    team.version += 1
    team.save(update_fields=["version", "updated_at"])
    return True


@transaction.atomic
def team_remove_member(*, team: Team, employee: Employee) -> bool:
    """Remove one member; False when they were not a member."""
    if not team.members.filter(pk=employee.pk).exists():
        return False
    team.members.remove(employee)
    team.version += 1
    team.save(update_fields=["version", "updated_at"])
    return True
