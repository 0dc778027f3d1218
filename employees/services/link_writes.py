"""Writing the outcome of a manager-link run: a few UPDATEs for a whole batch."""

import logging

from django.db import connection
from django.utils import timezone

from ..models import Employee

logger = logging.getLogger(__name__)

LINK_UPDATE_CHUNK = 500


def links_apply(*, resolved: dict[int, int], refused: dict[int, str]) -> None:
    """Write a pass's outcome with a few UPDATEs: one per chunk of resolved links, one per reason."""
    now = timezone.now()
    # No version bump: the SCIM resource carries the manager email as received, which the link
    # does not change, so its ETag stays (a bump would fail an identity provider's If-Match).
    done = {"manager_link_pending_since": None, "updated_at": now}
    pairs = list(resolved.items())
    for start in range(0, len(pairs), LINK_UPDATE_CHUNK):
        _links_resolved_write(pairs[start : start + LINK_UPDATE_CHUNK], updated_at=now)
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
