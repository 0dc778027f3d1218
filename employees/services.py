"""Writes to the HR domain. Every function is scoped to one organization."""

import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Employee, Organization, Team

User = get_user_model()

# Fields an update may change, with the model field each maps to.
PROFILE_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "department",
    "business_unit",
    "location_city",
    "employee_number",
    "external_id",
)


class EmployeeConflict(Exception):
    """Another employee of the organization already has this email or username."""

    def __init__(self, field: str, value: str):
        self.field = field
        self.value = value
        super().__init__(f"An employee with {field} {value} already exists.")


@dataclass(frozen=True)
class ManagerCheck:
    ok: bool
    reason: str = ""


def organization_create(*, name: str, slug: str, okta_enabled: bool = False) -> Organization:
    return Organization.objects.create(name=name, slug=slug, okta_enabled=okta_enabled)


def _normalise_profile(fields: dict) -> dict:
    cleaned = {}
    for key, value in fields.items():
        if key not in PROFILE_FIELDS:
            raise TypeError(f"Unknown employee field {key!r}")
        cleaned[key] = (value or "").strip()
    return cleaned


def _conflict(*, organization: Organization, exclude_pk: int | None, email: str, username: str) -> None:
    others = Employee.objects.filter(organization=organization)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if username and others.filter(username__iexact=username).exists():
        raise EmployeeConflict("username", username)
    if email and others.filter(email__iexact=email).exists():
        raise EmployeeConflict("email", email)


def _full_clean(employee: Employee) -> None:
    # Model validation (lengths, email format) without the uniqueness checks, which
    # are the database's job (see _save_unique) so that concurrent writers cannot race.
    employee.full_clean(
        exclude=["organization", "user", "manager", "source_connection"], validate_unique=False
    )


def _save_unique(employee: Employee) -> None:
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError as exc:
        # The unique constraints on lower(email)/lower(username) decide races between
        # concurrent creates; report which one tripped.
        _conflict(
            organization=employee.organization,
            exclude_pk=employee.pk,
            email=employee.email,
            username=employee.username,
        )
        raise EmployeeConflict("username", employee.username) from exc


@transaction.atomic
def employee_create(
    *,
    organization: Organization,
    email: str,
    password: str | None = None,
    is_org_admin: bool = False,
    can_manage_integrations: bool = False,
    manager_email: str = "",
    source_connection=None,
    **profile: str,
) -> Employee:
    fields = _normalise_profile({"email": email, **profile})
    fields.setdefault("username", fields["email"])
    if not fields["username"]:
        fields["username"] = fields["email"]
    employee = Employee(
        organization=organization,
        is_org_admin=is_org_admin,
        can_manage_integrations=can_manage_integrations,
        source_connection=source_connection,
        activated_at=timezone.now(),
        **fields,
    )
    _set_manager_email(employee, manager_email)
    _full_clean(employee)
    _conflict(organization=organization, exclude_pk=None, email=employee.email, username=employee.username)
    _save_unique(employee)
    employee.user = User.objects.create_user(
        username=f"e-{uuid.uuid4().hex}", email=employee.email, password=password
    )
    if password is None:
        employee.user.set_unusable_password()
        employee.user.save(update_fields=["password"])
    employee.save(update_fields=["user"])
    return employee


def _set_manager_email(employee: Employee, manager_email: str) -> bool:
    """Record the manager's email as received; the link itself is resolved in the background."""
    manager_email = (manager_email or "").strip()
    if manager_email == employee.manager_email and (manager_email or employee.manager_id is None):
        return False
    employee.manager_email = manager_email
    employee.manager_link_error = ""
    if manager_email:
        employee.manager_link = Employee.ManagerLink.PENDING
    else:
        employee.manager = None
        employee.manager_link = Employee.ManagerLink.NONE
    return True


@transaction.atomic
def employee_update(*, employee: Employee, manager_email: str | None = None, **profile: str) -> Employee:
    fields = _normalise_profile(profile)
    for key, value in fields.items():
        setattr(employee, key, value)
    if manager_email is not None:
        _set_manager_email(employee, manager_email)
    _full_clean(employee)
    _conflict(
        organization=employee.organization,
        exclude_pk=employee.pk,
        email=employee.email,
        username=employee.username,
    )
    employee.version = F("version") + 1
    _save_unique(employee)
    employee.refresh_from_db(fields=["version", "updated_at"])
    if employee.user_id and employee.user.email != employee.email:
        User.objects.filter(pk=employee.user_id).update(email=employee.email)
    return employee


def manager_check(*, employee: Employee, manager: Employee | None) -> ManagerCheck:
    """Whether `manager` may manage `employee`: same organization, not themselves, no cycle."""
    if manager is None:
        return ManagerCheck(True)
    if manager.organization_id != employee.organization_id:
        return ManagerCheck(False, "The manager must belong to the same organization.")
    if manager.pk == employee.pk:
        return ManagerCheck(False, "An employee cannot be their own manager.")
    seen = {employee.pk}
    current = manager
    # Walk up the chain; a chain that comes back to the employee would make a cycle.
    while current.manager_id is not None:
        if current.manager_id in seen:
            return ManagerCheck(False, "This manager would create a reporting cycle.")
        seen.add(current.pk)
        current = Employee.objects.only("pk", "manager_id").get(pk=current.manager_id)
    return ManagerCheck(True)


@transaction.atomic
def employee_set_manager(*, employee: Employee, manager: Employee | None) -> Employee:
    check = manager_check(employee=employee, manager=manager)
    if not check.ok:
        raise ValidationError({"manager": check.reason})
    employee.manager = manager
    employee.manager_email = manager.email if manager else ""
    employee.manager_link = Employee.ManagerLink.RESOLVED if manager else Employee.ManagerLink.NONE
    employee.manager_link_error = ""
    employee.version = F("version") + 1
    employee.save()
    employee.refresh_from_db(fields=["version", "updated_at"])
    return employee


@transaction.atomic
def employee_deactivate(*, employee: Employee, reason: str = "") -> Employee:
    """Mark the employee deactivated at once; the effects are applied by employee_apply_deactivation."""
    if employee.status == Employee.Status.DEACTIVATED:
        return employee
    employee.status = Employee.Status.DEACTIVATED
    employee.deactivated_at = timezone.now()
    employee.deactivation_applied_at = None
    employee.version = F("version") + 1
    employee.save()
    employee.refresh_from_db(fields=["version", "updated_at"])
    transaction.on_commit(lambda: _enqueue_deactivation(employee.pk))
    return employee


def _enqueue_deactivation(employee_id: int) -> None:
    from .tasks import enqueue_deactivation

    enqueue_deactivation(employee_id)


@transaction.atomic
def employee_apply_deactivation(*, employee_id: int) -> bool:
    """Apply a deactivation's effects: sign-in blocked, sessions ended. Idempotent."""
    employee = Employee.objects.select_for_update().filter(pk=employee_id).first()
    if employee is None or employee.status != Employee.Status.DEACTIVATED or employee.deactivation_applied_at:
        return False
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=False)
        user_sessions_end(user_id=employee.user_id)
    employee.deactivation_applied_at = timezone.now()
    employee.save(update_fields=["deactivation_applied_at"])
    return True


def user_sessions_end(*, user_id: int) -> int:
    """End every database session of the user."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def employee_reactivate(*, employee: Employee) -> Employee:
    if employee.status == Employee.Status.ACTIVE and employee.provider_deleted_at is None:
        return employee
    employee.status = Employee.Status.ACTIVE
    employee.activated_at = timezone.now()
    employee.deactivated_at = None
    employee.deactivation_applied_at = None
    employee.provider_deleted_at = None
    employee.version = F("version") + 1
    employee.save()
    employee.refresh_from_db(fields=["version", "updated_at"])
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=True)
    return employee


# Provisioning writes. Identity providers call these on every sync, so each one is a
# fixed, small number of statements: one transaction, no savepoints, no read-back.


def _provision_clean(employee: Employee) -> None:
    # Field validation only: uniqueness is decided by the database's unique indexes, so the
    # per-constraint SELECTs of full_clean would only add statements and still race.
    employee.full_clean(
        exclude=["organization", "user", "manager", "source_connection"],
        validate_unique=False,
        validate_constraints=False,
    )


def _provisioned_user(*, email: str, is_active: bool):
    # An unusable password: provisioned employees sign in once an admin or SSO sets one.
    return User.objects.create_user(
        username=f"e-{uuid.uuid4().hex}", email=email, password=None, is_active=is_active
    )


@transaction.atomic
def employee_provision(
    *,
    organization: Organization,
    source_connection,
    email: str,
    manager_email: str = "",
    active: bool = True,
    **profile: str,
) -> Employee:
    """Create an employee for an identity provider. Two INSERTs.

    Uniqueness is left to the database: a duplicate username or email raises IntegrityError,
    which rolls the whole transaction back (the sign-in user included) so concurrent
    creates of one person leave exactly one row.
    """
    fields = _normalise_profile({"email": email, **profile})
    if not fields.get("username"):
        fields["username"] = fields["email"]
    now = timezone.now()
    employee = Employee(
        organization=organization,
        source_connection=source_connection,
        activated_at=now,
        **fields,
    )
    if not active:
        # Created deactivated: no sign-in and no session exist, so nothing is left to apply.
        employee.status = Employee.Status.DEACTIVATED
        employee.deactivated_at = now
        employee.deactivation_applied_at = now
    _set_manager_email(employee, manager_email)
    _provision_clean(employee)
    employee.user = _provisioned_user(email=employee.email, is_active=active)
    employee.save(force_insert=True)
    return employee


class EmployeeChanged(Exception):
    """The employee was written by someone else since it was read (optimistic concurrency)."""


def employee_sync(
    *,
    employee: Employee,
    manager_email: str | None = None,
    source_connection=None,
    **profile: str,
) -> Employee:
    """Write an identity provider's fields to the employee as read; one UPDATE, none if unchanged.

    The UPDATE is conditional on the version that was read, so a concurrent writer is detected
    (EmployeeChanged) without holding a row lock across the request. Uniqueness is the
    database's: a duplicate username or email raises IntegrityError.
    """
    fields = _normalise_profile(profile)
    changed = [key for key, value in fields.items() if getattr(employee, key) != value]
    for key in changed:
        setattr(employee, key, fields[key])
    if manager_email is not None and _set_manager_email(employee, manager_email):
        changed += ["manager_email", "manager_link", "manager_link_error", "manager_id"]
    if source_connection is not None and employee.source_connection_id != source_connection.pk:
        employee.source_connection = source_connection
        changed.append("source_connection_id")
    if not changed:
        return employee
    _provision_clean(employee)
    values = {key: getattr(employee, key) for key in changed}
    now = timezone.now()
    # One UPDATE is atomic on its own; a transaction is opened only when the sign-in email follows.
    with transaction.atomic() if "email" in changed else nullcontext():
        updated = Employee.objects.filter(pk=employee.pk, version=employee.version).update(
            **values, version=employee.version + 1, updated_at=now
        )
        if not updated:
            raise EmployeeChanged(employee.pk)
        if "email" in changed and employee.user_id:
            User.objects.filter(pk=employee.user_id).update(email=employee.email)
    employee.version += 1
    employee.updated_at = now
    return employee


@transaction.atomic
def employee_provider_delete(*, employee: Employee) -> Employee:
    """The identity provider deleted the person: deactivate, and remember the deletion.

    The row stays (an HR record is never deleted by a provider); the provider no longer sees it.
    """
    employee = employee_deactivate(employee=employee, reason="Deleted by the identity provider")
    if employee.provider_deleted_at is None:
        employee.provider_deleted_at = timezone.now()
        Employee.objects.filter(pk=employee.pk).update(provider_deleted_at=employee.provider_deleted_at)
    return employee


@transaction.atomic
def team_create(
    *, organization: Organization, name: str, external_id: str = "", source_connection=None, member_ids=()
) -> Team:
    team = Team(
        organization=organization,
        name=(name or "").strip(),
        external_id=(external_id or "").strip(),
        source_connection=source_connection,
    )
    team.full_clean(exclude=["organization", "source_connection", "members"])
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
    team.full_clean(exclude=["organization", "source_connection", "members"])
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
