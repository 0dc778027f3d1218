"""Employee records: create, update, and the provisioning writes of identity providers."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Employee, Organization
from .accounts import _new_account
from .custom_fields import custom_values_provided
from .lifecycle import (
    _roster_changed,
    deactivated_fields,
    employee_lock,
    reactivated_fields,
    restored_fields,
    save_changed,
)
from .managers import _enqueue_manager_links_on_commit, _link_needs_resolving, _set_manager_email

# Fields an update may change.
PROFILE_FIELDS = (
    "username", "email", "first_name", "last_name", "display_name", "job_title", "department",
    "business_unit", "location_city", "employee_number", "external_id", "cost_center", "company",
    "name_formatted", "middle_name", "honorific_prefix", "honorific_suffix", "nick_name",
    "profile_url", "user_type", "preferred_language", "locale", "timezone", "phone_number",
    "phone_type", "address_type", "address_formatted", "street_address", "region", "postal_code",
    "country",
    "profile_extras",  # a dict of lists (validators.validate_profile_extras); every other one is text
)  # fmt: skip


class EmployeeConflict(Exception):
    """Another employee of the organization already has this email or username."""

    def __init__(self, field: str, value: str):
        self.field = field
        self.value = value
        super().__init__(f"An employee with {field} {value} already exists.")


def _normalise_profile(fields: dict) -> dict:
    cleaned = {}
    for key, value in fields.items():
        if key not in PROFILE_FIELDS:
            raise TypeError(f"Unknown employee field {key!r}")
        cleaned[key] = (value or {}) if key == "profile_extras" else (value or "").strip()
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
        exclude=["organization", "user", "manager", "moved_from_manager"], validate_unique=False
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
        activated_at=timezone.now(),
        **fields,
    )
    _set_manager_email(employee, manager_email)
    _full_clean(employee)
    _conflict(organization=organization, exclude_pk=None, email=employee.email, username=employee.username)
    # Employees added in the portal get their login account at once, as before, with an unusable
    # password when none is given: adding people by hand is no hot path (unlike provisioning, which
    # creates none), and employee_set_password works either way.
    employee.user = _new_account(password=password)
    _save_unique(employee)
    _roster_changed(employee.organization_id)
    # Resolve this employee's manager link, and link the reports waiting for their email.
    _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, manager_email: str | None = None, **profile: str) -> Employee:
    fields = _normalise_profile(profile)
    employee_lock(employee)
    email_changed = "email" in fields and fields["email"].lower() != employee.email.lower()
    for key, value in fields.items():
        setattr(employee, key, value)
    link_needs_resolving = manager_email is not None and _link_needs_resolving(
        employee, _set_manager_email(employee, manager_email)
    )
    _full_clean(employee)
    _conflict(
        organization=employee.organization,
        exclude_pk=employee.pk,
        email=employee.email,
        username=employee.username,
    )
    employee.version += 1
    _save_unique(employee)
    if link_needs_resolving or email_changed:
        # A new email may be the one some reports are waiting for.
        _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


# The fields an identity provider's values reach; every other field is set by the services
# themselves (status, dates, flags, manager link state, version) and valid by construction.
_PROVIDED = frozenset({*PROFILE_FIELDS, "manager_email"})
_ALL_FIELDS = frozenset(field.name for field in Employee._meta.fields)


def _clean_provided(employee: Employee, changed) -> None:
    # Field validation (lengths, email format) of what the provider set, as full_clean would do
    # it (Employee has no clean() of its own). Uniqueness is the unique indexes' decision: a
    # SELECT per constraint would only add statements and still race.
    employee.clean_fields(exclude=_ALL_FIELDS.difference(changed))


def employee_provision(
    *,
    organization: Organization,
    email: str,
    manager_email: str = "",
    active: bool = True,
    custom_values: dict | None = None,
    custom_fields: dict | None = None,
    **profile: str,
) -> Employee:
    """Create an employee for an identity provider: one INSERT, and no login account (a provider's
    password is never stored) until employee_set_password creates one. A duplicate username or
    email raises IntegrityError from the unique indexes and writes nothing, so concurrent creates
    of one person leave exactly one row; the caller decides what the existing employee means.
    """
    fields = _normalise_profile({"email": email, **profile})
    if not fields.get("username"):
        fields["username"] = fields["email"]
    now = timezone.now()
    employee = Employee(organization=organization, activated_at=now, **fields)
    custom_values_provided(employee, custom_values, custom_fields)
    if not active:
        # Created deactivated: no login account and no session exist, so nothing is left to apply.
        employee.status = Employee.Status.DEACTIVATED
        employee.deactivated_at = employee.deactivation_applied_at = now
    _set_manager_email(employee, manager_email)
    _clean_provided(employee, _PROVIDED)
    employee.save(force_insert=True)
    _roster_changed(employee.organization_id)
    # Resolve this employee's manager link, and link the reports waiting for their email.
    _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


# No savepoint when nested: the caller's transaction holds the row lock, and a refused write
# (ValidationError, IntegrityError) fails the whole request.
@transaction.atomic(savepoint=False)
def employee_provider_update(
    *,
    employee: Employee,
    profile: dict | None = None,
    active: bool | None = None,
    restore: bool = False,
    reason: str = "",
    custom_fields: dict | None = None,
    new_version: bool = False,
) -> str:
    """An identity provider's write to an employee: profile, status, or both, as one change.

    `employee` was read under employee_lock in the caller's transaction. `profile`: the provider's
    PROFILE_FIELDS, manager_email and "custom_values" (merged by custom_values_merge against
    `custom_fields`, the active fields, read when not given); None: the profile stays. `active`:
    the status it wants (None: unchanged); `restore` clears a provider's deletion mark;
    `new_version`: what the provider reads changed (a deactivation held, a hold lifted) though no
    field may. One UPDATE with one version bump, none when nothing changes. Returns "update",
    "deactivate" or "reactivate". Invalid values raise ValidationError, a username or email
    another employee holds IntegrityError; either way nothing is written.
    """
    changed: list[str] = []
    relink = False
    if profile is not None:
        profile = dict(profile)
        manager_email = profile.pop("manager_email", None)
        if custom_values_provided(employee, profile.pop("custom_values", None), custom_fields):
            changed.append("custom_values")
        for key, value in _normalise_profile(profile).items():
            if getattr(employee, key) != value:
                setattr(employee, key, value)
                changed.append(key)
        if manager_email is not None and _set_manager_email(employee, manager_email):
            changed += ["manager_email", "manager_link", "manager_link_error", "manager_link_pending_since"]
            changed += ["manager", "moved_from_manager"]
        relink = employee.manager_link == Employee.ManagerLink.PENDING and "manager_link" in changed
        relink = relink or "email" in changed  # a new email may be the one some reports wait for
        _clean_provided(employee, changed)
    operation = "update"
    if restore and employee.provider_deleted_at is not None:
        changed += restored_fields(employee)
        operation = "reactivate" if active is not False else operation
    if active is True and employee.status != Employee.Status.ACTIVE:
        changed += reactivated_fields(employee)
        operation = "reactivate"
    elif active is False and employee.status == Employee.Status.ACTIVE:
        changed += deactivated_fields(employee, reason)
        operation = "deactivate"
    if changed or new_version:
        save_changed(employee, changed)
    if relink:
        _enqueue_manager_links_on_commit(employee.organization_id)
    return operation


@transaction.atomic(savepoint=False)
def employee_provider_delete(*, employee: Employee, deactivate: bool = True) -> Employee:
    """The identity provider deleted the person: deactivate, and remember the deletion.

    The row stays (an HR record is never deleted by a provider); the provider no longer sees it.
    `deactivate=False` only hides it: the deactivation waits for a person's decision.
    `employee` was read under employee_lock in the caller's transaction.
    """
    changed = []
    if deactivate and employee.status == Employee.Status.ACTIVE:
        changed += deactivated_fields(employee, "Deleted by the identity provider")
    if employee.provider_deleted_at is None:
        employee.provider_deleted_at = timezone.now()
        changed.append("provider_deleted_at")
        _roster_changed(employee.organization_id)
    if changed:
        save_changed(employee, changed)
    return employee


def employee_set_roles(*, employee: Employee, is_org_admin: bool, can_manage_integrations: bool) -> Employee:
    """Grant or take away the organization-admin role and the "manage integrations" permission."""
    if (employee.is_org_admin, employee.can_manage_integrations) == (is_org_admin, can_manage_integrations):
        return employee
    employee.is_org_admin = is_org_admin
    employee.can_manage_integrations = can_manage_integrations
    employee.save(update_fields=["is_org_admin", "can_manage_integrations", "updated_at"])
    return employee
