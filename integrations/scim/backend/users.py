"""Users: employees of the scope's organization, read and written through employees.services."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q

from employees import services
from employees.models import Employee
from integrations import roster

from ..errors import ScimError, not_found
from ..filters import Translated
from ..mapping import USER_COLUMNS
from .common import (
    Outcome,
    Page,
    Scope,
    as_pk,
    check_version,
    filtered,
    invalid,
    paged,
    sliced,
)
from .compiled import Compiled

MAX_WRITE_ATTEMPTS = 3


def _employees(scope: Scope):
    # Employees the provider deleted answer 404 (RFC 7644 §3.6) but stay in the portal.
    return Employee.objects.filter(organization=scope.organization, provider_deleted_at__isnull=True)


# Markers: values no real parameter takes (organization ids and primary keys are positive).
_ORG, _PK, _USERNAME = -7_919_001, -7_919_002, "username-marker-7919003"

_USER_BY_USERNAME = Compiled(
    Employee,
    # Named rows of the rendered columns, as list pages read them: a lookup's users are only rendered.
    lambda organization_id, username, limit: (
        _live_employees(organization_id)
        .filter(username__lower=username)
        .order_by("pk")
        .values_list(*USER_COLUMNS, named=True)[:limit]
    ),
    _ORG,
    _USERNAME,
)
_USER_BY_PK = Compiled(Employee, lambda organization_id, pk: _live_by_pk(organization_id, pk)[:1], _ORG, _PK)
# The same row as a named row of the rendered columns, for a read that only renders it.
_USER_ROW_BY_PK = Compiled(
    Employee,
    lambda organization_id, pk: _live_by_pk(organization_id, pk).values_list(*USER_COLUMNS, named=True)[:1],
    _ORG,
    _PK,
)


# An import's page: the live employees after a primary key, in key order, skipping `skip` of
# them (see _user_page).
_USERS_AFTER = Compiled(
    Employee,
    lambda organization_id, after_pk, skip, limit: (
        _live_employees(organization_id)
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .values_list(*USER_COLUMNS, named=True)[skip : skip + limit]
    ),
    _ORG,
    _PK,
)


def _live_employees(organization_id: int):
    return Employee.objects.filter(organization_id=organization_id, provider_deleted_at__isnull=True)


def _live_by_pk(organization_id: int, pk: int):
    return _live_employees(organization_id).filter(pk=pk).order_by("pk")


def user_list(
    scope: Scope, *, translated: Translated | None, sort: str | None, descending: bool, start: int, count: int
) -> Page:
    if translated is not None and translated.username_lower is not None and start == 1 and count and not sort:
        # Okta's lookup before every create: the same page `paged` gives, from the compiled statement.
        rows = _USER_BY_USERNAME.rows(scope.organization.pk, translated.username_lower, shape=(count + 1,))
        if len(rows) <= count:
            return Page(items=rows, total=len(rows))
    if translated is None and not sort and count:
        return _user_page(scope, start=start, count=count)
    order = [f"-{sort}" if descending else sort, "pk"] if sort else ["pk"]
    # Named rows of the rendered columns, not Employee instances: a page is only ever rendered.
    rows = filtered(_employees(scope), translated).values_list(*USER_COLUMNS, named=True)
    return paged(rows, order=order, start=start, count=count)


def _user_page(scope: Scope, *, start: int, count: int) -> Page:
    """A page of every live user in id order (an import), in one statement when it can be.

    What the import's previous page stored (integrations.roster, read in one cache round trip)
    replaces the two costly parts of `paged`: the primary key P of the row before `start` turns the
    offset skip into `id > P ORDER BY id LIMIT count + 1` on employee_org_scim_live, and the
    organization's total replaces the COUNT. When pages are in flight together, the page before
    may not have answered yet: the nearest start stored up to roster.LOOKBACK pages back is the
    anchor, and the page skips the few pages between (OFFSET) instead of the whole offset; the
    first LOOKBACK pages anchor on the beginning (P = 0).

    Why the page is the offset query's page exactly: both values count only under the roster
    generation they were stored under, which every creation, provider deletion, restoration and
    deletion of an employee replaces (integrations.roster says when); under one generation the
    live rows are the same, and rows are ordered by primary key alone, so the row at an anchor's
    position is still P. (Profile edits change neither membership nor order, which is why
    filtered and sorted lists are not served here.)

    Falls back to the offset read of `paged` (and COUNT) for a deep page with nothing stored near it
    under the current generation (the first deep page after a change, an expired entry, or no
    cache at all); what the page learned is then stored for the next one.
    """
    organization_id = scope.organization.pk
    memo = roster.memo_read(organization_id=organization_id, start=start, count=count)
    if memo.after_pk is not None:
        anchor_start, after_pk = memo.anchor_start, memo.after_pk
    elif start - 1 < roster.LOOKBACK * count:
        anchor_start, after_pk = 1, 0  # near the beginning: the beginning is the anchor
    else:
        anchor_start = after_pk = None
    if after_pk is not None:
        rows = _USERS_AFTER.rows(organization_id, after_pk, shape=(start - anchor_start, count + 1))
    else:
        live = _employees(scope).values_list(*USER_COLUMNS, named=True)
        rows = sliced(live, order=["pk"], offset=start - 1, limit=count + 1)
    items = rows[:count]
    if len(rows) > count or (not rows and start > 1):
        # More rows follow (or the page is past the end): only a count tells the total.
        total = memo.total if memo.total is not None else _employees(scope).count()
    else:
        total = start - 1 + len(rows)
    full = len(items) == count
    roster.memo_write(
        memo,
        organization_id=organization_id,
        total=total,
        next_start=start + count if full else 0,
        last_pk=items[-1].pk if full else 0,
    )
    return Page(items=items, total=total)


def user_get(scope: Scope, *, pk: str, rendered_only: bool = False) -> Employee:
    """The live employee `pk` of the scope's organization, or a SCIM 404.

    With `rendered_only`, a named row of mapping.USER_COLUMNS instead of an Employee (a GET,
    which only renders it): a third of the columns to decode and no model instance to build.
    """
    number = as_pk(pk)
    compiled = _USER_ROW_BY_PK if rendered_only else _USER_BY_PK
    rows = compiled.rows(scope.organization.pk, number) if number else []
    if not rows:
        raise not_found(f"User {pk} not found.")
    return rows[0]


def _conflict(field_name: str, value: str) -> ScimError:
    label = "userName" if field_name == "username" else "email"
    return ScimError(409, f"A user with {label} {value} already exists.", "uniqueness")


def _claimable(employee: Employee, scope: Scope) -> bool:
    """May a provider's create take over this existing employee?

    Yes when the provider deleted it earlier (the same person is being provisioned again), when no
    live connection has claimed it (employees added by hand, or synced by a connection that was since
    deleted). No when a live connection owns it: that is a genuine duplicate (409).
    """
    if employee.provider_deleted_at is not None or employee.source_connection_id is None:
        return True
    return employee.source_connection.deleted_at is not None


def user_create(scope: Scope, *, fields: dict, active: bool) -> Outcome:
    """Create the employee; when the userName or email is taken, decide between 409 and a link.

    The INSERT comes first and the unique indexes on lower(username) / lower(email) decide: the
    common case costs no lookup, and concurrent creates of one person leave exactly one row.
    """
    try:
        employee = services.employee_provision(
            organization=scope.organization, source_connection=scope.connection, active=active, **fields
        )
    except IntegrityError:
        return _create_over_existing(scope, fields=fields, active=active)
    except ValidationError as exc:
        raise invalid(exc) from exc
    return Outcome(obj=employee, operation="create", created=True)


def _create_over_existing(scope: Scope, *, fields: dict, active: bool) -> Outcome:
    username, email = fields["username"], fields["email"]
    candidates = list(
        Employee.objects.select_related("source_connection").filter(
            Q(username__lower=username.lower()) | Q(email__lower=email.lower()),
            organization=scope.organization,
        )[:2]
    )
    by_username = next((e for e in candidates if e.username.lower() == username.lower()), None)
    by_email = next((e for e in candidates if e.email.lower() == email.lower()), None)
    if by_username is not None and not _claimable(by_username, scope):
        raise _conflict("username", username)
    if by_email is not None and by_email is not by_username and not _claimable(by_email, scope):
        raise _conflict("email", email)
    if by_username is not None and by_email is not None and by_email is not by_username:
        # Two different people hold the userName and the email: linking either breaks the other.
        raise _conflict("email", email)
    target = by_username or by_email
    if target is None:  # the row that conflicted was removed meanwhile; the client may retry
        raise _conflict("username", username)
    return _link(scope, employee=target, fields=fields, active=active)


def _link(scope: Scope, *, employee: Employee, fields: dict, active: bool) -> Outcome:
    """Take over an existing employee (see _claimable): same id, the provider's values, active as sent."""
    outcome = _write_user(scope, employee=employee, fields=fields, active=active, relink=True)
    outcome.created = True
    if outcome.operation == "update":
        outcome.operation = "create"
    return outcome


def _write_user(
    scope: Scope, *, employee: Employee, fields: dict | None, active: bool | None, relink=False
) -> Outcome:
    """Write the provider's profile `fields` (None: the profile is unchanged), then `active`."""
    if fields is not None:
        fields = dict(fields)
        manager_email = fields.pop("manager_email")
        try:
            employee = services.employee_sync(
                employee=employee,
                manager_email=manager_email,
                source_connection=scope.connection if relink else None,
                **fields,
            )
        except IntegrityError as exc:
            raise _conflict("username", fields.get("username", "")) from exc
        except ValidationError as exc:
            raise invalid(exc) from exc
    operation = "update"
    if relink and employee.provider_deleted_at is not None and active is not False:
        employee = services.employee_reactivate(employee=employee)
        operation = "reactivate"
    elif active is False and employee.status == Employee.Status.ACTIVE:
        employee = services.employee_deactivate(
            employee=employee, reason="Deactivated by the identity provider"
        )
        operation = "deactivate"
    elif active is True and employee.status != Employee.Status.ACTIVE:
        employee = services.employee_reactivate(employee=employee)
        operation = "reactivate"
    return Outcome(obj=employee, operation=operation)


def user_write_plain(scope: Scope, *, pk: str, fields: dict | None, active: bool | None) -> Outcome | None:
    """A write that needs nothing read first, in one statement (employees.services.
    employee_provider_write): a profile edit of an active user that keeps it active, or its
    deactivation, with or without a profile. The updated row is rendered as it is. None for
    anything else, and user_update then reads and decides."""
    number = as_pk(pk)
    if number is None or active is None or (active is True and fields is None):
        return None
    row = services.employee_provider_write(
        organization_id=scope.organization.pk,
        pk=number,
        returning=USER_COLUMNS,
        profile=fields,
        deactivate=active is False,
        reason="Deactivated by the identity provider",
    )
    if row is None:
        return None
    return Outcome(obj=row, operation="deactivate" if active is False else "update")


def user_update(
    scope: Scope,
    *,
    pk: str,
    change: Callable[[Employee], tuple[dict | None, bool | None]],
    if_match: str | None,
) -> Outcome:
    """Read, compute the new state with `change` (pure), write it conditionally on the version read.

    A concurrent write in between is retried on fresh data rather than lost or reported.
    """
    for _ in range(MAX_WRITE_ATTEMPTS):
        employee = user_get(scope, pk=pk)
        check_version(employee.version, if_match)
        fields, active = change(employee)
        try:
            return _write_user(scope, employee=employee, fields=fields, active=active)
        except services.EmployeeChanged:
            continue
    raise ScimError(409, "The user is being changed by another request; retry.")


def user_delete(scope: Scope, *, pk: str, if_match: str | None) -> Outcome:
    employee = user_get(scope, pk=pk)
    check_version(employee.version, if_match)
    employee = services.employee_provider_delete(employee=employee)
    return Outcome(obj=employee, operation="deactivate")
