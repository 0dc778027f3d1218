"""Users: employees of the scope's organization, read here and written through employees.services.

Every write reads the employee under a row lock (employees.services.employee_lock's rule),
decides in one service call and commits: concurrent writers to one user take turns, and a
request's answer (its meta.version included) depends only on the state it found.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from employees import services
from employees.models import Employee
from integrations import brake, ownership, roster
from integrations import services as integration_services
from integrations.models import ProvisionedDeactivation, ProvisionedEmployee

from ..errors import ScimError, not_found
from .attributes import USER_ATTRIBUTES
from .common import (
    PAST_THE_END,
    Outcome,
    Page,
    Scope,
    check_version,
    filtered,
    invalid,
    list_order,
    paged,
    sliced,
)
from .custom import FieldsOf, loaded_fields
from .filters import as_pk, to_q

DEACTIVATED_BY_PROVIDER = "Deactivated by the identity provider"


# What a User resource shows (integrations.scim.mapping.user_render): reads that only render load
# just these.
RENDERED = (
    "external_id",
    "username",
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "status",
    "email",
    "location_city",
    "employee_number",
    "business_unit",
    "department",
    "manager_email",
    "created_at",
    "updated_at",
    "version",
    "custom_values",
    *(field for field in services.PROFILE_FIELDS if field not in ("username", "email", "external_id")),
)


def _employees(scope: Scope, queryset=None):
    # Employees the provider deleted answer 404 (RFC 7644 §3.6) but stay in the portal; those
    # another connection owns do not exist here (integrations.ownership). `deactivation_held`:
    # the resource answers `active: false` while the portal keeps the person (integrations.brake).
    queryset = Employee.objects if queryset is None else queryset
    return (
        queryset.filter(organization_id=scope.organization.pk, provider_deleted_at__isnull=True)
        .exclude(ownership.owned_elsewhere(connection_id=scope.connection.pk))
        .annotate(deactivation_held=brake.held_annotation())
    )


def _rendered(scope: Scope):
    return _employees(scope, Employee.objects.only(*RENDERED))


def user_list(scope: Scope, query) -> Page:
    """A page of users for a ListQuery (filter, sortBy, startIndex, count as the client sent them)."""
    translated = to_q(query.filter, USER_ATTRIBUTES) if query.filter else None
    return users_page(scope, translated=translated, query=query)


def users_page(scope: Scope, *, translated, query) -> Page:
    order = list_order(query, USER_ATTRIBUTES)
    if translated is None and order == ["pk"] and query.count and query.start <= PAST_THE_END:
        return _import_page(scope, start=query.start, count=query.count)
    return paged(filtered(_rendered(scope), translated), order=order, start=query.start, count=query.count)


def _import_page(scope: Scope, *, start: int, count: int) -> Page:
    """A page of every live user in id order (an import), in one statement when it can be.

    What the import's previous page stored (integrations.roster) replaces the two costly parts of
    `paged`: the primary key P of the row before `start` turns the offset skip into `id > P ORDER
    BY id` on the employee_org_live index, and the organization's total replaces the COUNT. With
    pages in flight together the page before may not have answered yet: the nearest start stored
    up to roster.LOOKBACK pages back is the anchor, and the page skips the few pages between.

    Both values count only under the roster generation they were stored under, which every
    creation, provider deletion, restoration and deletion of an employee replaces; under one
    generation the live rows are the same and ordered by primary key alone, so the row at an
    anchor's position is still P. With nothing stored near the page it takes `paged`'s offset read.
    """
    organization_id = scope.organization.pk
    memo = roster.memo_read(organization_id=organization_id, start=start, count=count)
    live = _rendered(scope)
    if memo.after_pk is not None:
        skip = start - memo.anchor_start
        rows = list(live.filter(pk__gt=memo.after_pk).order_by("pk")[skip : skip + count + 1])
    elif start - 1 < roster.LOOKBACK * count:
        rows = list(live.order_by("pk")[start - 1 : start + count])
    else:
        rows = sliced(live, order=["pk"], offset=start - 1, limit=count + 1)
    items = rows[:count]
    if len(rows) > count or (not rows and start > 1):
        # More rows follow (or the page is past the end): only a count tells the total.
        total = memo.total if memo.total is not None else live.count()
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


def user_get(scope: Scope, *, pk: str, lock: bool = False) -> Employee:
    """The live employee `pk` of the scope's organization, or a SCIM 404: all of it, locked for a
    write, or what its resource shows."""
    number = as_pk(pk)
    if lock:  # a write: also what the owner provides (ownership.provided_learn)
        employees = _employees(scope, Employee.objects.select_for_update()).annotate(
            provided_fields=ownership.provided_annotation()
        )
    else:
        employees = _rendered(scope)
    try:
        if number is None:
            raise Employee.DoesNotExist
        return employees.get(pk=number)
    except Employee.DoesNotExist:
        raise not_found(f"User {pk} not found.") from None


def _conflict(field_name: str, value: str, owner: str = "") -> ScimError:
    label = "userName" if field_name == "username" else "email"
    managed = f" It is managed by the connection “{owner}”." if owner else ""
    return ScimError(409, f"A user with {label} {value} already exists.{managed}", "uniqueness")


def user_create(
    scope: Scope, *, fields: dict, active: bool, portal_origin: str = "", custom_fields: FieldsOf = None
) -> Outcome:
    """Create the employee; when the userName or email is taken, decide between 409 and a link.

    The INSERT comes first and the unique indexes on lower(username) / lower(email) decide: the
    common case costs no lookup, and concurrent creates of one person leave exactly one row.
    """
    try:
        with transaction.atomic():
            employee = services.employee_provision(
                organization=scope.organization,
                active=active,
                custom_fields=loaded_fields(custom_fields, fields),
                **fields,
            )
            integration_services.employee_provisioned_by(
                employee=employee,
                connection=scope.connection,
                new=True,
                provided=ownership.provided_of(fields),
            )
    except IntegrityError:
        return _create_over_existing(scope, fields=fields, active=active, custom_fields=custom_fields)
    except ValidationError as exc:
        raise invalid(exc) from exc
    if active and scope.organization.invite_on_provisioning:
        # The organization's "invite people when they are provisioned": a link to set a password,
        # emailed once this commits (people of an organization requiring SSO are not invited).
        services.employee_invite(employee=employee, base_url=portal_origin)
    return Outcome(obj=employee, operation="create", created=True)


def _owner_elsewhere(scope: Scope, link: ProvisionedEmployee | None) -> str:
    """The name of the other live connection that owns the employee, or ""."""
    if link is None or link.connection.deleted_at is not None or link.connection_id == scope.connection.pk:
        return ""
    return link.connection.name


def _claimable(scope: Scope, employee: Employee, link: ProvisionedEmployee | None) -> bool:
    """May a provider's create take over this existing employee?

    Yes when this connection deleted it earlier (the same person is being provisioned again), when
    no live connection has claimed it (employees added by hand, synced by a connection that was
    since deleted, or released by an admin). No when a live connection owns it: another one's
    employee, or this one's own live duplicate (409).
    """
    if _owner_elsewhere(scope, link):
        return False
    return employee.provider_deleted_at is not None or link is None or link.connection.deleted_at is not None


@transaction.atomic
def _create_over_existing(scope: Scope, *, fields: dict, active: bool, custom_fields: FieldsOf) -> Outcome:
    username, email = fields["username"].lower(), fields["email"].lower()
    candidates = list(
        Employee.objects.select_for_update(of=("self",))
        .filter(Q(username__lower=username) | Q(email__lower=email), organization=scope.organization)
        .order_by("pk")[:2]
    )
    links = {
        link.employee_id: link
        for link in ProvisionedEmployee.objects.select_related("connection").filter(employee__in=candidates)
    }
    by_username = next((e for e in candidates if e.username.lower() == username), None)
    by_email = next((e for e in candidates if e.email.lower() == email), None)
    for found, field_name in ((by_username, "username"), (by_email, "email")):
        if found is not None and not _claimable(scope, found, links.get(found.pk)):
            raise _conflict(field_name, fields[field_name], _owner_elsewhere(scope, links.get(found.pk)))
    if by_username is not None and by_email is not None and by_email != by_username:
        # Two different people hold the userName and the email: linking either breaks the other.
        raise _conflict("email", fields["email"])
    employee = by_username or by_email
    if employee is None:  # the row that conflicted was removed meanwhile; the client may retry
        raise _conflict("username", fields["username"])
    # Take it over: same id, the provider's values, active as sent, visible to the provider again.
    # What the body leaves out (a blank value) stays as the portal has it: a create describes the
    # person as the provider knows them, not a replacement of what was entered here.
    sent = {key: value for key, value in fields.items() if value}
    if "profile_extras" in sent:  # per kind too: entries of a kind the body does not send stay
        sent["profile_extras"] = {**employee.profile_extras, **sent["profile_extras"]}
    if "custom_values" in sent:  # and custom values the body does not send stay
        sent["custom_values"] = {
            key: value for key, value in sent["custom_values"].items() if value is not None
        }
    link = links.get(employee.pk)
    # What this connection sent for the person before counts; another (deleted) one's does not.
    before = link.provided_fields if link and link.connection_id == scope.connection.pk else ()
    outcome = _write(scope, employee, fields=sent, active=active, restore=True, custom_fields=custom_fields)
    integration_services.employee_provisioned_by(
        employee=employee, connection=scope.connection, provided=ownership.provided_of(sent).union(before)
    )
    return Outcome(
        obj=employee, operation="create" if outcome.operation == "update" else outcome.operation, created=True
    )


def _write(
    scope: Scope,
    employee: Employee,
    *,
    fields: dict | None,
    active: bool | None,
    restore: bool = False,
    request: brake.RequestInfo | None = None,
    custom_fields: FieldsOf = None,
) -> Outcome:
    # The brake may hold a deactivation, or lift a hold (integrations.brake).
    guarded = brake.provider_write_guard(
        connection=scope.connection,
        employee=employee,
        active=active,
        restore=restore,
        request=request or brake.RequestInfo(),
    )
    active, held, shown_changed = guarded.active, guarded.held, guarded.shown_changed
    known = getattr(employee, "provided_fields", None)
    if fields is not None and known is not None:
        # Fields the owner never sent a value for are the portal's: an absent value leaves them
        # as they are (a PUT does not clear what the portal keeps; see integrations.ownership).
        provided = ownership.provided_learn(employee=employee, known=frozenset(known), sent=fields)
        fields = {key: value for key, value in fields.items() if value or key in provided}
    version = employee.version
    try:
        operation = services.employee_provider_update(
            employee=employee,
            profile=fields,
            active=active,
            restore=restore,
            reason=DEACTIVATED_BY_PROVIDER,
            custom_fields=loaded_fields(custom_fields, fields),
        )
    except IntegrityError as exc:
        raise _conflict("username", (fields or {}).get("username", "")) from exc
    except ValidationError as exc:
        raise invalid(exc) from exc
    if shown_changed:
        if employee.version == version:
            services.employee_version_bump(employee=employee)
        operation = "deactivate" if held else "reactivate"
    employee.deactivation_held = held
    return Outcome(obj=employee, operation=operation)


@transaction.atomic
def user_update(
    scope: Scope,
    *,
    pk: str,
    change: Callable[[Employee], tuple[dict | None, bool | None]],
    if_match: str | None,
    request: brake.RequestInfo | None = None,
    custom_fields: FieldsOf = None,
) -> Outcome:
    """Read the user under a row lock, compute its new state with `change` (pure), write it."""
    employee = user_get(scope, pk=pk, lock=True)
    check_version(employee.version, if_match)
    fields, active = change(employee)
    return _write(scope, employee, fields=fields, active=active, request=request, custom_fields=custom_fields)


@transaction.atomic
def user_delete(
    scope: Scope, *, pk: str, if_match: str | None, request: brake.RequestInfo | None = None
) -> Outcome:
    employee = user_get(scope, pk=pk, lock=True)
    check_version(employee.version, if_match)
    deactivate = True
    if employee.status == Employee.Status.ACTIVE:
        record = brake.deactivation_decide(
            connection=scope.connection,
            employee=employee,
            request=request or brake.RequestInfo(),
            deleted=True,
            held=employee.deactivation_held,
        )
        # Held: the person is hidden from the provider (404, as it expects) and stays active here.
        deactivate = record.state != ProvisionedDeactivation.State.HELD
    services.employee_provider_delete(employee=employee, deactivate=deactivate)
    return Outcome(obj=employee, operation="deactivate")
