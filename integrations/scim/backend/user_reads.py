"""Users as the identity provider reads them: the scope's employees, listed, paged and fetched."""

from employees.models import Employee
from integrations import brake, ownership, roster

from ..errors import not_found
from .attributes import USER_ATTRIBUTES
from .common import (
    PAST_THE_END,
    Page,
    Scope,
    filtered,
    list_order,
    paged,
    sliced,
)
from .filters import as_pk, to_q, username_eq
from .statements import RENDERED, by_pk, by_username


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
    username = username_eq(query.filter) if query.filter else None
    if username is not None:  # how providers look a user up: none or one, whatever the sort
        found = by_username(scope, username)
        return Page(items=found[query.start - 1 :][: query.count], total=len(found))
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
    write (with what its owner provides, ownership.provided_learn), or what its resource shows."""
    number = as_pk(pk)
    employee = by_pk(scope, number, lock=lock) if number is not None else None
    if employee is None:
        raise not_found(f"User {pk} not found.")
    return employee
