"""Employee records: create, update, and the provisioning writes of identity providers."""

import functools

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F
from django.db.models.utils import create_namedtuple_class
from django.utils import timezone

from engagedly_portal.cache import writes_together
from engagedly_portal.db import instance_insert, rows_update, statement_cursor

from ..models import Employee, Organization
from .accounts import _new_account
from .lifecycle import _after_deactivation, _roster_changed, employee_deactivate
from .managers import _enqueue_manager_links_on_commit, _link_needs_resolving, _set_manager_email

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
    # Employees added in the portal get their login account at once, as before, with an unusable
    # password when none is given: adding people by hand is no hot path (unlike provisioning, which
    # creates none), and employee_set_password works either way.
    employee.user = _new_account(password=password)
    _save_unique(employee)
    _roster_changed(employee.organization_id)
    # Resolve this employee's own manager link, and link the reports that were provisioned
    # before them and are waiting for their email.
    _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, manager_email: str | None = None, **profile: str) -> Employee:
    fields = _normalise_profile(profile)
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
    employee.version = F("version") + 1
    _save_unique(employee)
    employee.refresh_from_db(fields=["version", "updated_at"])
    if link_needs_resolving or email_changed:
        # A new email may be the one some reports are waiting for.
        _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


# The fields an identity provider's values reach; every other field is set by the services
# themselves (status, dates, flags, manager link state, version) and valid by construction.
_NOT_PROVIDED = frozenset(
    field.name for field in Employee._meta.fields if field.name not in {*PROFILE_FIELDS, "manager_email"}
)


_ALL_FIELDS = frozenset(field.name for field in Employee._meta.fields)


def _provision_clean(employee: Employee, changed: list[str] | None = None) -> None:
    # Field validation (lengths, email format, required values) of the provided fields only, as
    # full_clean would do it (Employee has no clean() of its own). Uniqueness is decided by the
    # database's unique indexes: the per-constraint SELECTs of full_clean would only add
    # statements and still race. An update validates only what it changes: the other values
    # are the stored ones, validated when they were written.
    if changed is None:
        employee.clean_fields(exclude=_NOT_PROVIDED)
    else:
        employee.clean_fields(exclude=_ALL_FIELDS.difference(changed))


def employee_provision(
    *,
    organization: Organization,
    source_connection,
    email: str,
    manager_email: str = "",
    active: bool = True,
    **profile: str,
) -> Employee:
    """Create an employee for an identity provider: one INSERT.

    The employee gets no login account: an identity provider's password is never stored, so there
    is nothing to sign in with until employee_set_password creates one. Uniqueness is left to the
    database: a duplicate username or email raises IntegrityError and writes nothing, so concurrent
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
        # Created deactivated: no login account and no session exist, so nothing is left to apply.
        employee.status = Employee.Status.DEACTIVATED
        employee.deactivated_at = now
        employee.deactivation_applied_at = now
    _set_manager_email(employee, manager_email)
    _provision_clean(employee)
    _insert(employee)
    with writes_together():  # the two cache writes below in one round trip
        _roster_changed(employee.organization_id)
        # Resolve this employee's own manager link, and link the reports that were provisioned
        # before them and are waiting for their email.
        _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


def _insert(employee: Employee) -> None:
    _single_write(lambda: instance_insert(employee))


def _single_write(write):
    """Run one write statement: atomic on its own outside a transaction (no BEGIN and COMMIT
    round trips); inside a caller's transaction, in a savepoint, which keeps that transaction
    usable when a unique index refuses the row (the caller then looks for the employee who holds
    the value, or reports the conflict)."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return write()
    return write()


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
    link_needs_resolving = False
    if manager_email is not None and _set_manager_email(employee, manager_email):
        changed += [
            "manager_email",
            "manager_link",
            "manager_link_error",
            "manager_link_pending_since",
            "manager_id",
        ]
        link_needs_resolving = employee.manager_link == Employee.ManagerLink.PENDING
    if source_connection is not None and employee.source_connection_id != source_connection.pk:
        employee.source_connection = source_connection
        changed.append("source_connection_id")
    if not changed:
        return employee
    _provision_clean(employee, changed)
    values = {key: getattr(employee, key) for key in changed}
    now = timezone.now()
    # One conditional UPDATE, atomic on its own: no transaction, no row lock.
    updated = _single_write(
        lambda: rows_update(
            Employee,
            where={"id": employee.pk, "version": employee.version},
            values={**values, "version": employee.version + 1, "updated_at": now},
        )
    )
    if not updated:
        raise EmployeeChanged(employee.pk)
    employee.version += 1
    employee.updated_at = now
    if link_needs_resolving or "email" in changed:
        # A new email may be the one some reports are waiting for.
        _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


def employee_provider_write(
    *,
    organization_id: int,
    pk: int,
    returning: tuple[str, ...],
    profile: dict | None = None,
    deactivate: bool = False,
    reason: str = "",
):
    """A provider's write to a live, active employee in one statement, when it needs nothing read
    first; else None, and nothing is written.

    What employee_sync and employee_deactivate write, as one UPDATE ... RETURNING conditional on
    what makes the write plain: the employee is live and active, and `profile` (the provider's
    fields, manager_email included; None for a status change alone) keeps the email and the
    manager's email exactly as stored, so that no manager link and no waiting report needs
    resolving. Without `deactivate` some value must change: an unchanged replacement writes
    nothing and keeps its version. With it the employee is deactivated in the same statement, and
    the organization's deactivation run is queued, as employee_deactivate does. The values are
    validated as employee_sync validates them.

    Returns the updated row as a named row of `returning`, or None when any of that does not
    hold, a value is invalid, or a unique index refuses it (another employee's username). The
    caller then reads the employee and goes through employee_sync and employee_deactivate, which
    decide and report as always. A replacement or deactivation that is plain thus costs one
    round trip instead of two.
    """
    now = timezone.now()
    values = {"pk": pk, "organization": organization_id, "active": Employee.Status.ACTIVE, "now": now}
    names, manager = (), None
    if profile is not None:
        fields = _normalise_profile({key: value for key, value in profile.items() if key != "manager_email"})
        manager = (profile.get("manager_email") or "").strip()
        email = fields.pop("email", None)
        if email is None:
            return None
        try:
            for name, value in fields.items():
                _FIELDS[name].clean(value, None)  # what clean_fields runs for the field
        except ValidationError:
            return None
        names = tuple(fields)
        values.update({f"new_{name}": value for name, value in fields.items()})
        values.update(email=email, manager_email=manager)
        values.update(none=Employee.ManagerLink.NONE)
        values.update(resolved=Employee.ManagerLink.RESOLVED, pending=Employee.ManagerLink.PENDING)
    elif not deactivate:
        return None
    if deactivate:
        values["deactivated"] = Employee.Status.DEACTIVATED
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_columns_from_insert:  # UPDATE ... RETURNING too: SQLite 3.35+
        return None
    sql, row_class, converters = _provider_write_statement(
        db.vendor, names, profile is not None, bool(manager), deactivate, returning
    )
    try:
        row = _single_write(lambda: _fetch_one(db, sql, values))
    except IntegrityError:
        return None
    if row is None:
        return None
    if deactivate:
        _after_deactivation(employee_id=pk, organization_id=organization_id, reason=reason)
    if converters:  # what the ORM makes of the values (SQLite's timestamps, for one)
        row = list(row)
        for index, expression, functions in converters:
            for function in functions:
                row[index] = function(row[index], expression, db)
    return tuple.__new__(row_class, row)


_FIELDS = {field.name: field for field in Employee._meta.fields}


def _fetch_one(db, sql: str, params: dict):
    with statement_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@functools.lru_cache(maxsize=64)
def _provider_write_statement(
    vendor: str, names: tuple, has_profile: bool, has_manager: bool, deactivate: bool, returning: tuple
):
    db = connections[DEFAULT_DB_ALIAS]
    column = {name: db.ops.quote_name(field.column) for name, field in _FIELDS.items()}
    column["pk"] = column["id"]
    written = [(name, f"new_{name}") for name in names]
    if has_manager:
        written.append(("manager_email", "manager_email"))
    assignments = [f"{column[name]} = %({key})s" for name, key in written]
    if deactivate:
        assignments += [
            f"{column['status']} = %(deactivated)s",
            f"{column['deactivated_at']} = %(now)s",
            f"{column['deactivation_applied_at']} = NULL",
        ]
    assignments += [f"{column['version']} = {column['version']} + 1", f"{column['updated_at']} = %(now)s"]
    conditions = [
        f"{column['id']} = %(pk)s",
        f"{column['organization']} = %(organization)s",
        f"{column['provider_deleted_at']} IS NULL",
        f"{column['status']} = %(active)s",
    ]
    if has_profile:
        conditions.append(f"{column['email']} = %(email)s")
        if has_manager:
            conditions.append(
                f"{column['manager_email']} = %(manager_email)s "
                f"AND {column['manager_link']} IN (%(resolved)s, %(pending)s)"
            )
        else:
            conditions.append(
                f"{column['manager_email']} = '' AND {column['manager_link']} = %(none)s "
                f"AND {column['manager_link_error']} = '' AND {column['manager']} IS NULL"
            )
    if not deactivate:
        conditions.append("(" + " OR ".join(f"{column[name]} <> %({key})s" for name, key in written) + ")")
    # Table and column names come from the model; every value is a parameter.
    sql = (
        f"UPDATE {db.ops.quote_name(Employee._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)} "
        f"RETURNING {', '.join(column[name] for name in returning)}"
    )
    converters = []
    for index, name in enumerate(returning):
        expression = _FIELDS["id" if name == "pk" else name].get_col(Employee._meta.db_table)
        functions = db.ops.get_db_converters(expression) + expression.get_db_converters(db)
        if functions:
            converters.append((index, expression, functions))
    return sql, create_namedtuple_class(*returning), converters


@transaction.atomic
def employee_provider_delete(*, employee: Employee) -> Employee:
    """The identity provider deleted the person: deactivate, and remember the deletion.

    The row stays (an HR record is never deleted by a provider); the provider no longer sees it.
    """
    employee = employee_deactivate(employee=employee, reason="Deleted by the identity provider")
    if employee.provider_deleted_at is None:
        employee.provider_deleted_at = timezone.now()
        Employee.objects.filter(pk=employee.pk).update(provider_deleted_at=employee.provider_deleted_at)
        _roster_changed(employee.organization_id)
    return employee


def employee_set_roles(*, employee: Employee, is_org_admin: bool, can_manage_integrations: bool) -> Employee:
    """Grant or take away the organization-admin role and the "manage integrations" permission."""
    if (employee.is_org_admin, employee.can_manage_integrations) == (is_org_admin, can_manage_integrations):
        return employee
    employee.is_org_admin = is_org_admin
    employee.can_manage_integrations = can_manage_integrations
    employee.save(update_fields=["is_org_admin", "can_manage_integrations", "updated_at"])
    return employee
