"""Manager links: validation, and resolving the manager emails identity providers send."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from ..models import Employee, Organization
from .link_writes import departed_managers, links_apply, manager_in_place

logger = logging.getLogger(__name__)


# Manager-link resolution: pending links read per query, resolved links per UPDATE, and links
# examined per run (one transaction under the organization lock; a run that reaches the bound
# enqueues a fresh one, so a run stays well within its time limit and lets other writers in).
MANAGER_LINKS_BATCH = 1000


MANAGER_LINKS_PER_RUN = 10_000


CYCLE = "This manager would create a reporting cycle."
# A run looks at the links waiting for their manager and at those it refused before: a change
# elsewhere (a manager moved, a cycle broken) can make a refused link valid, and the identity
# provider will not send an unchanged employee again.
RECHECKED = (Employee.ManagerLink.PENDING, Employee.ManagerLink.UNRESOLVED)


@dataclass(frozen=True)
class ManagerCheck:
    ok: bool
    reason: str = ""


def _set_manager_email(employee: Employee, manager_email: str) -> bool:
    """Record the manager's email as received; the link itself is resolved in the background.

    Returns whether any manager field changed. A link left pending needs resolving
    (see _link_needs_resolving); the caller enqueues that after commit.
    """
    manager_email = (manager_email or "").strip()
    before = (employee.manager_id, employee.manager_email, employee.manager_link, employee.manager_link_error)
    if not manager_email:
        employee.manager = None
        employee.manager_email = ""
        employee.manager_link = Employee.ManagerLink.NONE
        employee.manager_link_error = ""
        employee.manager_link_pending_since = None
    elif manager_email.lower() == employee.manager_email.lower() and employee.manager_link in (
        Employee.ManagerLink.RESOLVED,
        Employee.ManagerLink.PENDING,
    ):
        # Identity providers resend the whole user on every change; the same manager (in any
        # case) keeps its link, resolved or still waiting.
        employee.manager_email = manager_email
    else:
        if manager_email.lower() != employee.manager_email.lower():
            # The previous manager no longer applies, whether or not the new one exists yet; nor
            # does the manager a deactivation moved the employee away from.
            employee.manager = None
            employee.moved_from_manager = None
        employee.manager_email = manager_email
        employee.manager_link = Employee.ManagerLink.PENDING
        employee.manager_link_error = ""
        employee.manager_link_pending_since = timezone.now()
    after = (employee.manager_id, employee.manager_email, employee.manager_link, employee.manager_link_error)
    return before != after


def _link_needs_resolving(employee: Employee, changed: bool) -> bool:
    return changed and employee.manager_link == Employee.ManagerLink.PENDING


def _enqueue_manager_links_on_commit(organization_id: int) -> None:
    def enqueue() -> None:
        from ..tasks import enqueue_manager_links

        enqueue_manager_links(organization_id)

    transaction.on_commit(enqueue)


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
            return ManagerCheck(False, CYCLE)
        seen.add(current.pk)
        current = Employee.objects.only("pk", "manager_id").get(pk=current.manager_id)
    return ManagerCheck(True)


def _lock_organization(organization_id: int) -> str | None:
    # Manager links of one organization change one at a time: two links checked concurrently
    # could each pass the cycle check and together close a cycle (A -> B while B -> A).
    # Lock order everywhere: the organization, then employees. NO KEY UPDATE (PostgreSQL) does not
    # conflict with the KEY SHARE lock every employee INSERT takes on its organization, so link
    # resolution never holds up provisioning.
    # Returns the organization's direct-reports policy (None: no such organization), read with the lock.
    return (
        Organization.objects.select_for_update(no_key=True)
        .filter(pk=organization_id)
        .values_list("direct_reports_on_deactivation", flat=True)
        .first()
    )


@transaction.atomic
def employee_set_manager(*, employee: Employee, manager: Employee | None) -> Employee:
    _lock_organization(employee.organization_id)
    check = manager_check(employee=employee, manager=manager)
    if not check.ok:
        raise ValidationError({"manager": check.reason})
    employee.manager = manager
    employee.manager_email = manager.email if manager else ""
    employee.manager_link = Employee.ManagerLink.RESOLVED if manager else Employee.ManagerLink.NONE
    employee.manager_link_error = ""
    employee.manager_link_pending_since = None
    employee.moved_from_manager = None  # a manager chosen by hand replaces any move to restore
    employee.version = F("version") + 1
    employee.save()
    employee.refresh_from_db(fields=["version", "updated_at"])
    return employee


def _reporting_cycle(graph: dict[int, int | None], *, employee_id: int, manager_id: int) -> bool:
    """Whether linking employee -> manager would close a loop in the reporting graph (id -> manager id).

    `graph` must hold the manager's whole chain up to the top (see _chains_load).
    """
    seen: set[int] = set()
    current: int | None = manager_id
    # Walk up the manager's chain; coming back to the employee would make a cycle.
    while current is not None:
        if current == employee_id:
            return True
        if current in seen:  # a loop above that does not pass through this employee
            return False
        seen.add(current)
        current = graph.get(current)
    return False


def _chains_load(graph: dict[int, int | None], *, organization_id: int, start_ids: set[int]) -> None:
    """Add to `graph` the reporting chains above `start_ids` that it does not hold yet.

    One recursive query however deep the chart (UNION stops at a loop), rather than the whole
    organization: a run over a 100,000-employee organization reads only the chains above the
    managers it links. Entries already in `graph` are kept: they may be links set by this run.
    Every id in `graph` has its chain in `graph` too, so a walk never leaves it.
    """
    start_ids = {pk for pk in start_ids if pk not in graph}
    if not start_ids:
        return
    table = connection.ops.quote_name(Employee._meta.db_table)
    placeholders = ", ".join(["%s"] * len(start_ids))
    # Only the model's table name and placeholders are formatted in; every value is a parameter.
    sql = f"""
        WITH RECURSIVE chain(id, manager_id) AS (
            SELECT id, manager_id FROM {table} WHERE organization_id = %s AND id IN ({placeholders})
            UNION
            SELECT e.id, e.manager_id FROM {table} e JOIN chain ON e.id = chain.manager_id
            WHERE e.organization_id = %s
        )
        SELECT id, manager_id FROM chain
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, *start_ids, organization_id])
        for pk, manager_id in cursor.fetchall():
            graph.setdefault(pk, manager_id)


@dataclass(frozen=True)
class LinksOutcome:
    resolved: int
    refused: int
    more: bool  # stopped at the per-run bound with links possibly left to resolve


@transaction.atomic
def organization_resolve_manager_links(*, organization_id: int, limit: int | None = None) -> LinksOutcome:
    """Resolve every pending manager link of the organization whose manager now exists, and every
    link refused before that a change has made valid. Idempotent.

    A link whose manager is not provisioned yet stays pending (a later run, enqueued when they
    arrive or change email, links it); a self-reference or a cycle is marked unresolved with a
    logged reason. Pending links are read in batches of MANAGER_LINKS_BATCH, their managers found
    with one query per batch, cycles checked in memory against the reporting chains above those
    managers (one recursive query per batch), and the outcome written with a few bulk UPDATEs.
    At most `limit` links per run (MANAGER_LINKS_PER_RUN by default).
    """
    limit = MANAGER_LINKS_PER_RUN if limit is None else limit
    # Under the organization lock no other link of the organization changes, so the chains read
    # here stay true for the whole run; the graph is updated in memory as links are set, so two
    # pending links that together would close a loop (A -> B, B -> A) are caught within one batch.
    reassign = _lock_organization(organization_id) == Organization.DirectReportsPolicy.REASSIGN
    employees = Employee.objects.filter(organization_id=organization_id)
    graph: dict[int, int | None] = {}
    by_email = employees.annotate(email_lower=Lower("email"))
    resolved = refused = examined = 0
    after = 0
    while True:
        # Keyed lookups only (the partial index, then the unique (lower(email), organization)
        # index), never a join of the table with itself: on a table that a provisioning burst has
        # just grown tenfold, stale statistics made PostgreSQL plan that join as a nested loop
        # over the whole organization (tens of seconds a batch, past the time limit).
        candidates = list(
            employees.filter(manager_link__in=RECHECKED, pk__gt=after)
            .annotate(manager_email_lower=Lower("manager_email"))
            .order_by("pk")
            .values_list("pk", "manager_email_lower")[:MANAGER_LINKS_BATCH]
        )
        if not candidates:
            return LinksOutcome(resolved, refused, more=False)
        after = candidates[-1][0]
        managers = dict(
            by_email.filter(email_lower__in={row[1] for row in candidates}).values_list("email_lower", "pk")
        )
        # Only links whose manager exists are locked and decided; those waiting for someone not
        # provisioned yet stay as they are. Row locks: a concurrent write to one of these employees
        # (a new manager email) waits, then this run's UPDATE cannot overwrite it with a stale
        # manager; a link changed between the read above and the lock is left to the run its own
        # write enqueued.
        wanted = {pk: email for pk, email in candidates if email in managers}
        batch = [
            row
            for row in (
                employees.select_for_update(of=("self",))
                .filter(pk__in=wanted, manager_link__in=RECHECKED)
                .annotate(manager_email_lower=Lower("manager_email"))
                .order_by("pk")
                .values_list("pk", "manager_email_lower", "manager_link_error")
                if wanted
                else []
            )
            if row[1] == wanted[row[0]]
        ]
        _chains_load(graph, organization_id=organization_id, start_ids=set(managers.values()))
        # Managers whose deactivation was applied: with the reassign policy their late reports go
        # up to the first manager in place, as the deactivation run moved the others.
        departed = departed_managers(graph=graph, manager_ids=set(managers.values())) if reassign else set()
        outcome_resolved: dict[int, int] = {}
        outcome_refused: dict[int, str] = {}
        outcome_reassigned: dict[int, tuple[int | None, int]] = {}
        for employee_id, manager_email, refused_for in batch:
            manager_id = managers.get(manager_email)
            if manager_id is None:  # renamed since the batch was read; its own write enqueues a run
                continue
            target = manager_id
            if manager_id in departed:
                target = manager_in_place(graph=graph, departed=departed, manager_id=manager_id)
                if target == employee_id:  # the departed manager reported to this employee: the top
                    target = None
            reason = None
            if manager_id == employee_id:
                reason = "An employee cannot be their own manager."
            elif target is not None and _reporting_cycle(graph, employee_id=employee_id, manager_id=target):
                reason = CYCLE
            if reason is not None:
                graph[employee_id] = None
                if reason != refused_for:  # a link refused again for the same reason stays as it is
                    outcome_refused[employee_id] = reason
            elif target != manager_id:
                outcome_reassigned[employee_id] = (target, manager_id)
                graph[employee_id] = target
            else:
                outcome_resolved[employee_id] = manager_id
                graph[employee_id] = manager_id
        links_apply(resolved=outcome_resolved, refused=outcome_refused, reassigned=outcome_reassigned)
        resolved += len(outcome_resolved) + len(outcome_reassigned)
        refused += len(outcome_refused)
        examined += len(batch)
        if len(candidates) < MANAGER_LINKS_BATCH:
            return LinksOutcome(resolved, refused, more=False)
        if examined >= limit:
            return LinksOutcome(resolved, refused, more=True)
