"""Writing the outcome of a manager-link run: a few UPDATEs for a whole batch.

With the "reassign reports" policy, a link that resolves to a manager whose deactivation was
applied before follows the policy as the deactivation run did (lifecycle._direct_reports_handle):
it goes to the first manager above still in place, and records the manager it was moved away
from. Otherwise it would leave an active employee under a deactivated manager that no run
looks at again.
"""

import logging

from django.db import connection
from django.db.models import F
from django.utils import timezone

from ..models import Employee

logger = logging.getLogger(__name__)

LINK_UPDATE_CHUNK = 500


def links_apply(
    *,
    resolved: dict[int, int],
    refused: dict[int, str],
    reassigned: dict[int, tuple[int | None, int]] | None = None,
) -> None:
    """Write a pass's outcome with a few UPDATEs: one per chunk of resolved links, one per reason,
    one per move the reassign policy made (see links_reassign)."""
    now = timezone.now()
    # No version bump: the SCIM resource carries the manager email as received, which the link
    # does not change, so its ETag stays (a bump would fail an identity provider's If-Match).
    done = {"manager_link_pending_since": None, "updated_at": now}
    pairs = list(resolved.items())
    for start in range(0, len(pairs), LINK_UPDATE_CHUNK):
        _links_resolved_write(pairs[start : start + LINK_UPDATE_CHUNK], updated_at=now)
    if reassigned:
        links_reassign(moves=reassigned)
    by_reason: dict[str, list[int]] = {}
    for employee_id, reason in refused.items():
        logger.warning("Manager link of employee %s refused: %s", employee_id, reason)
        by_reason.setdefault(reason, []).append(employee_id)
    for reason, employee_ids in by_reason.items():
        Employee.objects.filter(pk__in=employee_ids).update(
            manager=None, manager_link=Employee.ManagerLink.UNRESOLVED, manager_link_error=reason, **done
        )


def _links_resolved_write(pairs: list[tuple[int, int]], *, updated_at) -> None:
    """One UPDATE setting each employee's manager: `manager_id = CASE id WHEN e THEN m ... END`.

    Written out rather than built from the ORM's Case/When, whose expressions the ORM resolves one
    by one for every chunk of hundreds of links. Every value is a parameter; the casts tell
    PostgreSQL (which binds parameters server-side) the type of each manager id.
    """
    quote = connection.ops.quote_name
    meta = Employee._meta
    names = (
        "id",
        "manager",
        "manager_link",
        "manager_link_error",
        "manager_link_pending_since",
        "updated_at",
    )
    column = {name: quote(meta.get_field(name).column) for name in names}
    whens = " ".join(["WHEN %s THEN CAST(%s AS BIGINT)"] * len(pairs))
    ids = ", ".join(["%s"] * len(pairs))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['manager']} = CASE {column['id']} {whens} END, "  # noqa: S608
        f"{column['manager_link']} = %s, {column['manager_link_error']} = '', "
        f"{column['manager_link_pending_since']} = NULL, {column['updated_at']} = %s "
        f"WHERE {column['id']} IN ({ids})"
    )
    updated_at = meta.get_field("updated_at").get_db_prep_save(updated_at, connection)
    params = [value for pair in pairs for value in pair]
    params += [Employee.ManagerLink.RESOLVED.value, updated_at, *(employee_id for employee_id, _ in pairs)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def departed_managers(*, graph: dict[int, int | None], manager_ids: set[int]) -> set[int]:
    """Of these managers and the chains above them, those whose deactivation has been applied.

    A run that reassigns walks up from a departed manager to the first one still in place; each
    step reads only the managers it has not seen (one query a level, and usually one in all:
    applying a deactivation already moved the departed manager's own reports up).
    """
    departed: set[int] = set()
    seen: set[int] = set()
    frontier = set(manager_ids)
    while frontier:
        seen |= frontier
        found = set(
            Employee.objects.filter(
                pk__in=frontier,
                status=Employee.Status.DEACTIVATED,
                deactivation_applied_at__isnull=False,
            ).values_list("pk", flat=True)
        )
        departed |= found
        frontier = {graph.get(pk) for pk in found} - seen - {None}
    return departed


def manager_in_place(*, graph: dict[int, int | None], departed: set[int], manager_id: int) -> int | None:
    """The first manager at or above `manager_id` whose deactivation has not been applied (None: top)."""
    seen: set[int] = set()
    current: int | None = manager_id
    while current is not None and current in departed and current not in seen:
        seen.add(current)
        current = graph.get(current)
    return current


def links_reassign(*, moves: dict[int, tuple[int | None, int]]) -> None:
    """Write late links that the policy moved up: employee id -> (manager in place, departed manager).

    As a deactivation run writes its moves (lifecycle._direct_reports_handle): the new manager's
    email, a version bump (the manager an identity provider reads changes), and the manager moved
    away from. A move is rare (a link arriving after its manager left), so one UPDATE per pair.
    """
    by_pair: dict[tuple[int | None, int], list[int]] = {}
    for employee_id, pair in moves.items():
        by_pair.setdefault(pair, []).append(employee_id)
    emails = dict(
        Employee.objects.filter(pk__in={target for target, _ in by_pair if target}).values_list("pk", "email")
    )
    now = timezone.now()
    for (target, departed), employee_ids in by_pair.items():
        Employee.objects.filter(pk__in=employee_ids).update(
            manager_id=target,
            manager_email=emails.get(target, ""),
            manager_link=Employee.ManagerLink.RESOLVED if target else Employee.ManagerLink.NONE,
            manager_link_error="",
            manager_link_pending_since=None,
            moved_from_manager_id=departed,
            version=F("version") + 1,
            updated_at=now,
        )
