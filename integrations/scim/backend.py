"""The one seam between the SCIM protocol and the portal's domain and database.

Every function is scoped to the authenticated connection's organization: another organization's
ids simply do not exist here. Reads are single queries (a list page adds a COUNT only when more
rows follow it and the import's previous page did not tell the total, see _page and _user_page);
writes go through employees.services.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch, Q
from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class

from employees import services
from employees.models import Employee, Organization, Team
from integrations import roster
from integrations.activity_log import activity_log
from integrations.models import Connection, ConnectionToken, token_digest
from integrations.services import token_authenticate

from .errors import ScimError, not_found
from .filters import Translated
from .mapping import USER_COLUMNS

MAX_WRITE_ATTEMPTS = 3
DEACTIVATION_REASON = "Deactivated by the identity provider"


@dataclass(frozen=True)
class Scope:
    token: ConnectionToken
    connection: Connection
    organization: Organization


@dataclass
class Page:
    items: list
    total: int


@dataclass
class Outcome:
    """What a write did, for the response and the activity record."""

    obj: object
    operation: str = "update"
    created: bool = False
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- auth and activity


# Tokens verified in the database, by their HMAC digest (never the plaintext): digest → (auth
# epoch, when verified, scope). An entry counts only while the epoch read on this request is the
# one it was verified under (integrations.auth_epoch) and for at most SCIM_TOKEN_CACHE_SECONDS,
# which bounds a revocation whose bump Redis never received. Shared by the worker's threads:
# dict reads and writes are atomic, and the scope's objects are only read by SCIM code.
_VERIFIED: dict[str, tuple[str, float, Scope]] = {}
_VERIFIED_MAX = 1000


def scope_for_token(*, public_id: str, plaintext: str, epoch: str | None = None) -> Scope | None:
    """The token's scope, or None. From memory when `epoch` (read this request) vouches for it,
    else one query; without an epoch (no Redis, or it did not answer) always the query."""
    key = token_digest(plaintext) if epoch is not None else ""
    if key:
        cached = _VERIFIED.get(key)
        if (
            cached is not None
            and cached[0] == epoch
            and time.monotonic() - cached[1] < settings.SCIM_TOKEN_CACHE_SECONDS
            and cached[2].connection.public_id == public_id
        ):
            return cached[2]
    token = token_authenticate(public_id=public_id, plaintext=plaintext)
    if token is None:
        return None
    scope = Scope(token=token, connection=token.connection, organization=token.connection.organization)
    if key:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = (epoch, time.monotonic(), scope)
    return scope


def connection_id_for(*, public_id: str) -> int | None:
    """The connection a URL names (deleted ones too), to record refused requests against it."""
    return Connection.objects.filter(public_id=public_id).values_list("pk", flat=True).first()


def activity_record(**fields) -> None:
    """Queued for the batch writer (integrations.activity_log): no statement in the request."""
    activity_log.record(fields)


# ---------------------------------------------------------------- users


def _employees(scope: Scope):
    # Employees the provider deleted answer 404 (RFC 7644 §3.6) but stay in the portal.
    return Employee.objects.filter(organization=scope.organization, provider_deleted_at__isnull=True)


def _page(queryset, *, order: list[str], start: int, count: int) -> Page:
    """One page, and the total without counting when the page itself tells it.

    One row beyond the page is fetched: when it is absent the total is offset + rows (every
    userName lookup, and the last page of an import), so only a full page with more behind it
    pays a COUNT. COUNT(*) OVER () would instead sort and spill the whole organization on every
    page (hundreds of ms at 100,000 employees). A deep page skips its offset over primary keys
    alone (an index-only scan of employee_org_scim_live), then reads just its own rows, so the
    last page of 100,000 costs about what the first does.

    Filtered and sorted lists, and groups, are paged here on every request. The unfiltered user
    list (an identity provider's import) goes through _user_page, which remembers between pages
    what makes both the offset skip and the COUNT unnecessary.
    """
    if count == 0:
        return Page(items=[], total=queryset.count())
    offset = start - 1
    rows = _slice(queryset, order=order, offset=offset, limit=count + 1)
    if len(rows) > count:
        return Page(items=rows[:count], total=queryset.count())
    if rows or not offset:
        return Page(items=rows, total=offset + len(rows))
    # Past the end: the page tells nothing about the total (a rare second query).
    return Page(items=[], total=queryset.count())


def _slice(queryset, *, order: list[str], offset: int, limit: int) -> list:
    ordered = queryset.order_by(*order)
    if not offset:
        return list(ordered[:limit])
    keys = ordered.values("pk")[offset : offset + limit]
    return list(queryset.filter(pk__in=keys).order_by(*order))


def _filtered(queryset, translated: Translated | None):
    if translated is None:
        return queryset
    if translated.joins_many:
        # A condition across a to-many relation would repeat rows (and count them twice).
        return queryset.filter(pk__in=queryset.model.objects.filter(translated.q).values("pk"))
    return queryset.filter(translated.q)


class _Compiled:
    """A SELECT built by the ORM once per thread, then run with new parameters.

    Compiling a 30-column query (filters, ordering, select list) costs the ORM more CPU than
    PostgreSQL takes to answer it; the queries of nearly every SCIM request (the userName lookup,
    the read by id, an import's list page) have a fixed shape, so they are compiled once, with
    marker values standing for the parameters, and the markers' positions in the compiled
    parameters say where each value goes. Rows go through the compiler's own converters and
    become what the ORM's iteration would make of them: instances (from_db), or named rows for a
    values_list(named=True). Per thread, because a compiler holds its thread's database connection.
    """

    def __init__(self, model, build: Callable[..., object], *markers):
        self.model, self.build, self.markers = model, build, markers
        self._local = threading.local()

    def _compile(self, shape: tuple):
        queryset = self.build(*self.markers, *shape)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        if queryset._iterable_class is NamedValuesListIterable:
            # What values_list(*fields, named=True) yields: its fields, in its order.
            if len(compiler.select) != len(queryset._fields):
                raise RuntimeError("A compiled values_list selects its named fields only.")
            row_class = create_namedtuple_class(*queryset._fields)
            columns = None
        else:
            row_class = None
            columns = [column.target.attname for column, _, _ in compiler.select]
        # Each parameter: the index of the marker it stands for, or a constant of the query.
        slots = [
            self.markers.index(value) if value in self.markers else ("constant", value) for value in params
        ]
        if sorted(slot for slot in slots if isinstance(slot, int)) != list(range(len(self.markers))):
            raise RuntimeError("Every marker must appear exactly once in the compiled query.")
        # The row converters too: results_iter would look them up again on every call (a tenth of
        # a lookup's CPU), and they depend only on the select list.
        fields = [select[0] for select in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        return compiler, sql, slots, columns, row_class, converters

    def rows(self, *values, shape: tuple = ()) -> list:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = {}
        if shape not in compiled:
            if len(compiled) >= 64:  # shapes carry LIMIT/OFFSET: keep odd clients from piling them up
                compiled.clear()
            compiled[shape] = self._compile(shape)
        compiler, sql, slots, columns, row_class, converters = compiled[shape]
        params = [values[slot] if isinstance(slot, int) else slot[1] for slot in slots]
        with compiler.connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        if row_class is not None:
            new = tuple.__new__
            return [new(row_class, row) for row in fetched]
        db = compiler.using
        return [self.model.from_db(db, columns, row) for row in fetched]


# Markers: values no real parameter takes (organization ids and primary keys are positive).
_ORG, _PK, _USERNAME = -7_919_001, -7_919_002, "username-marker-7919003"

_USER_BY_USERNAME = _Compiled(
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
_USER_BY_PK = _Compiled(
    Employee,
    lambda organization_id, pk: _live_employees(organization_id).filter(pk=pk).order_by("pk")[:1],
    _ORG,
    _PK,
)


# An import's page: the live employees after a primary key, in key order, skipping `skip` of
# them (see _user_page).
_USERS_AFTER = _Compiled(
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


def user_list(
    scope: Scope, *, translated: Translated | None, sort: str | None, descending: bool, start: int, count: int
) -> Page:
    if translated is not None and translated.username_lower is not None and start == 1 and count and not sort:
        # Okta's lookup before every create: the same page _page gives, from the compiled statement.
        rows = _USER_BY_USERNAME.rows(scope.organization.pk, translated.username_lower, shape=(count + 1,))
        if len(rows) <= count:
            return Page(items=rows, total=len(rows))
    if translated is None and not sort and count:
        return _user_page(scope, start=start, count=count)
    order = [f"-{sort}" if descending else sort, "pk"] if sort else ["pk"]
    # Named rows of the rendered columns, not Employee instances: a page is only ever rendered.
    rows = _filtered(_employees(scope), translated).values_list(*USER_COLUMNS, named=True)
    return _page(rows, order=order, start=start, count=count)


def _user_page(scope: Scope, *, start: int, count: int) -> Page:
    """A page of every live user in id order (an import), in one statement when it can be.

    What the import's previous page stored (integrations.roster, read in one cache round trip)
    replaces _page's two costly parts: the primary key P of the row before `start` turns the
    offset skip into `id > P ORDER BY id LIMIT count + 1` on employee_org_scim_live, and the
    organization's total replaces the COUNT. When pages are in flight together, the page before
    may not have answered yet: the nearest start stored up to roster.LOOKBACK pages back is the
    anchor, and the page skips the few pages between (OFFSET) instead of the whole offset; the
    first LOOKBACK pages anchor on the beginning (P = 0).

    Why the page is the offset query's page exactly: both values count only under the roster
    generation they were stored under, which every creation, provider deletion, restoration and
    deletion of an employee replaces; under one generation the live rows are the same, and rows
    are ordered by primary key alone, so the row at an anchor's position is still P. (Profile
    edits change neither membership nor order, which is why filtered and sorted lists are not
    served here.)

    Falls back to _page's offset read (and COUNT) for a deep page with nothing stored near it
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
        rows = _slice(live, order=["pk"], offset=start - 1, limit=count + 1)
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


def user_get(scope: Scope, *, pk: str) -> Employee:
    number = _as_pk(pk)
    rows = _USER_BY_PK.rows(scope.organization.pk, number) if number else []
    if not rows:
        raise not_found(f"User {pk} not found.")
    return rows[0]


def _as_pk(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


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
        raise _invalid(exc) from exc
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
            raise _invalid(exc) from exc
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


def check_version(version: int, if_match: str | None) -> None:
    """RFC 7644 §3.14: a write with If-Match applies only to the version the client saw."""
    if not if_match or if_match.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if str(version) not in wanted:
        raise ScimError(412, "The resource has changed since it was read (If-Match does not match).")


def _invalid(exc: ValidationError) -> ScimError:
    return ScimError(400, " ".join(exc.messages) or "Invalid value.", "invalidValue")


# ---------------------------------------------------------------- groups


def _teams(scope: Scope):
    members = Employee.objects.filter(provider_deleted_at__isnull=True).order_by("pk")
    return Team.objects.filter(organization=scope.organization).prefetch_related(
        Prefetch("members", queryset=members)
    )


def group_list(
    scope: Scope, *, translated: Translated | None, sort: str | None, descending: bool, start: int, count: int
) -> Page:
    order = [f"-{sort}" if descending else sort, "pk"] if sort else ["pk"]
    return _page(_filtered(_teams(scope), translated), order=order, start=start, count=count)


def group_get(scope: Scope, *, pk: str) -> Team:
    number = _as_pk(pk)
    team = _teams(scope).filter(pk=number).first() if number else None
    if team is None:
        raise not_found(f"Group {pk} not found.")
    return team


def _member_ids(ids: list[str]) -> list[int]:
    numbers = [_as_pk(str(value)) for value in ids]
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
        raise _invalid(exc) from exc
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
        raise _invalid(exc) from exc
    return Outcome(obj=group_get(scope, pk=pk), operation="group")


def group_delete(scope: Scope, *, pk: str, if_match: str | None) -> Outcome:
    team = group_get(scope, pk=pk)
    check_version(team.version, if_match)
    services.team_delete(team=team)
    return Outcome(obj=None, operation="group")
