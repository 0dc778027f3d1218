"""Writes to the HR domain. Every function is scoped to one organization."""

import logging
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, Exists, F, OuterRef, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from .models import Employee, Organization, Team, UserSession
from .signals import employee_deactivation_applied

User = get_user_model()
logger = logging.getLogger(__name__)

# Manager-link resolution: pending links read per query, resolved links per UPDATE, and links
# examined per run (one transaction under the organization lock; a run that reaches the bound
# enqueues a fresh one, so a run stays well within its time limit and lets other writers in).
MANAGER_LINKS_BATCH = 1000
LINK_UPDATE_CHUNK = 500
MANAGER_LINKS_PER_RUN = 10_000

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
    # The login account carries no email of its own: sign-in looks the employee up by theirs.
    # No password means an unusable one until an admin or single sign-on sets it.
    employee.user = User.objects.create_user(username=f"e-{uuid.uuid4().hex}", password=password)
    _save_unique(employee)
    # Resolve this employee's own manager link, and link the reports that were provisioned
    # before them and are waiting for their email.
    _enqueue_manager_links_on_commit(employee.organization_id)
    return employee


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
            # The previous manager no longer applies, whether or not the new one exists yet.
            employee.manager = None
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
        from .tasks import enqueue_manager_links

        enqueue_manager_links(organization_id)

    transaction.on_commit(enqueue)


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


def _lock_organization(organization_id: int) -> None:
    # Manager links of one organization change one at a time: two links checked concurrently
    # could each pass the cycle check and together close a cycle (A -> B while B -> A).
    # Lock order everywhere: the organization, then employees. NO KEY UPDATE (PostgreSQL) does not
    # conflict with the KEY SHARE lock every employee INSERT takes on its organization, so link
    # resolution never holds up provisioning.
    Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).values_list("pk").first()


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
    employee.version = F("version") + 1
    employee.save()
    employee.refresh_from_db(fields=["version", "updated_at"])
    return employee


def _reporting_cycle(graph: dict[int, int | None], *, employee_id: int, manager_id: int) -> bool:
    """Whether linking employee -> manager would close a loop in the reporting graph (id -> manager id)."""
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


def _links_apply(*, resolved: dict[int, int], refused: dict[int, str]) -> None:
    """Write a pass's outcome with a few UPDATEs: one per chunk of resolved links, one per reason."""
    now = timezone.now()
    # No version bump: the SCIM resource carries the manager email as received, which the link
    # does not change, so its ETag stays (a bump would fail an identity provider's If-Match).
    done = {"manager_link_pending_since": None, "updated_at": now}
    pairs = list(resolved.items())
    for start in range(0, len(pairs), LINK_UPDATE_CHUNK):
        chunk = pairs[start : start + LINK_UPDATE_CHUNK]
        manager = Case(
            *(When(pk=employee_id, then=Value(manager_id)) for employee_id, manager_id in chunk),
            output_field=BigIntegerField(),
        )
        Employee.objects.filter(pk__in=[employee_id for employee_id, _ in chunk]).update(
            manager=manager, manager_link=Employee.ManagerLink.RESOLVED, manager_link_error="", **done
        )
    by_reason: dict[str, list[int]] = {}
    for employee_id, reason in refused.items():
        logger.warning("Manager link of employee %s refused: %s", employee_id, reason)
        by_reason.setdefault(reason, []).append(employee_id)
    for reason, employee_ids in by_reason.items():
        Employee.objects.filter(pk__in=employee_ids).update(
            manager=None, manager_link=Employee.ManagerLink.UNRESOLVED, manager_link_error=reason, **done
        )


@dataclass(frozen=True)
class LinksOutcome:
    resolved: int
    refused: int
    more: bool  # stopped at the per-run bound with links possibly left to resolve


@transaction.atomic
def organization_resolve_manager_links(*, organization_id: int, limit: int | None = None) -> LinksOutcome:
    """Resolve every pending manager link of the organization whose manager now exists. Idempotent.

    A link whose manager is not provisioned yet stays pending (a later run, enqueued when they
    arrive or change email, links it); a self-reference or a cycle is marked unresolved with a
    logged reason. Pending links are read in batches of MANAGER_LINKS_BATCH, their managers found
    with one query per batch, cycles checked in memory against the organization's reporting graph
    loaded once, and the outcome written with a few bulk UPDATEs. At most `limit` links per run
    (MANAGER_LINKS_PER_RUN by default).
    """
    limit = MANAGER_LINKS_PER_RUN if limit is None else limit
    # Under the organization lock no other link of the organization changes, so the graph loaded
    # here stays true for the whole run; it is updated in memory as links are set, so two pending
    # links that together would close a loop (A -> B, B -> A) are caught within one batch.
    _lock_organization(organization_id)
    employees = Employee.objects.filter(organization_id=organization_id)
    graph: dict[int, int | None] = dict(employees.values_list("pk", "manager_id"))
    by_email = employees.annotate(email_lower=Lower("email"))
    manager_exists = Exists(by_email.filter(email_lower=Lower(OuterRef("manager_email"))))
    resolved = refused = examined = 0
    after = 0
    while True:
        # Only links whose manager exists: those waiting for someone not provisioned are skipped
        # cheaply. Row locks: a concurrent write to one of these employees (a new manager email)
        # waits, then this run's UPDATE cannot overwrite it with a stale manager.
        batch = list(
            employees.select_for_update(of=("self",))
            .filter(manager_link=Employee.ManagerLink.PENDING, pk__gt=after)
            .filter(manager_exists)
            .annotate(manager_email_lower=Lower("manager_email"))
            .order_by("pk")
            .values_list("pk", "manager_email_lower")[:MANAGER_LINKS_BATCH]
        )
        if not batch:
            return LinksOutcome(resolved, refused, more=False)
        # One query on lower(email): the (lower(email), organization) unique index.
        managers = dict(
            by_email.filter(email_lower__in={email for _, email in batch}).values_list("email_lower", "pk")
        )
        outcome_resolved: dict[int, int] = {}
        outcome_refused: dict[int, str] = {}
        for employee_id, manager_email in batch:
            manager_id = managers.get(manager_email)
            if manager_id is None:  # renamed since the batch was read; its own write enqueues a run
                continue
            if manager_id == employee_id:
                outcome_refused[employee_id] = "An employee cannot be their own manager."
                graph[employee_id] = None
            elif _reporting_cycle(graph, employee_id=employee_id, manager_id=manager_id):
                outcome_refused[employee_id] = "This manager would create a reporting cycle."
                graph[employee_id] = None
            else:
                outcome_resolved[employee_id] = manager_id
                graph[employee_id] = manager_id
        _links_apply(resolved=outcome_resolved, refused=outcome_refused)
        resolved += len(outcome_resolved)
        refused += len(outcome_refused)
        examined += len(batch)
        after = batch[-1][0]
        if len(batch) < MANAGER_LINKS_BATCH:
            return LinksOutcome(resolved, refused, more=False)
        if examined >= limit:
            return LinksOutcome(resolved, refused, more=True)


def _update_as_read(employee: Employee, **values) -> bool:
    """One UPDATE of the row, applied only if it is still the version that was read.

    deactivation_applied_at is part of the condition because the background task sets it
    without bumping the version. Returns False when someone wrote the row meanwhile.
    """
    now = timezone.now()
    updated = Employee.objects.filter(
        pk=employee.pk, version=employee.version, deactivation_applied_at=employee.deactivation_applied_at
    ).update(**values, version=employee.version + 1, updated_at=now)
    if not updated:
        return False
    for key, value in values.items():
        setattr(employee, key, value)
    employee.version += 1
    employee.updated_at = now
    return True


def employee_deactivate(*, employee: Employee, reason: str = "") -> Employee:
    """Mark the employee deactivated at once; the effects are applied by employee_apply_deactivation.

    From this write on the employee cannot sign in (the backend and the session middleware
    check the status); the background task then makes it permanent and ends every session.
    Identity providers deactivate on every sync, so the common case is one conditional UPDATE
    on the state as read; only a row written meanwhile is re-read under a lock.
    """
    if employee.status == Employee.Status.DEACTIVATED:
        return employee
    deactivated = _update_as_read(
        employee,
        status=Employee.Status.DEACTIVATED,
        deactivated_at=timezone.now(),
        deactivation_applied_at=None,
    )
    if not deactivated and not _deactivate_locked(employee):
        return employee
    if reason:
        logger.info("Employee %s deactivated: %s", employee.pk, reason)
    # Runs at once outside a transaction, after the caller's commit inside one.
    transaction.on_commit(lambda: _enqueue_deactivation(employee.pk))
    return employee


@transaction.atomic
def _deactivate_locked(employee: Employee) -> bool:
    """The slow path for a stale `employee`: lock the row and decide on its current status."""
    locked = Employee.objects.select_for_update().only("pk", "status").get(pk=employee.pk)
    if locked.status == Employee.Status.DEACTIVATED:
        employee.refresh_from_db()
        return False
    employee.status = Employee.Status.DEACTIVATED
    employee.deactivated_at = timezone.now()
    employee.deactivation_applied_at = None
    employee.version = F("version") + 1
    employee.save(
        update_fields=["status", "deactivated_at", "deactivation_applied_at", "version", "updated_at"]
    )
    employee.refresh_from_db()
    return True


def _enqueue_deactivation(employee_id: int) -> None:
    from .tasks import enqueue_deactivation

    enqueue_deactivation(employee_id)


def _direct_reports_handle(*, employee: Employee) -> int:
    """Apply the organization's policy to a deactivated manager's reports; returns how many moved."""
    if employee.organization.direct_reports_on_deactivation != Organization.DirectReportsPolicy.REASSIGN:
        return 0
    _lock_organization(employee.organization_id)
    # Moving reports one level up removes a link from the chain, so it cannot make a cycle.
    new_manager = employee.manager
    return Employee.objects.filter(manager=employee).update(
        manager=new_manager,
        manager_email=new_manager.email if new_manager else "",
        manager_link=Employee.ManagerLink.RESOLVED if new_manager else Employee.ManagerLink.NONE,
        manager_link_error="",
        manager_link_pending_since=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )


@transaction.atomic
def employee_apply_deactivation(*, employee_id: int) -> bool:
    """Apply a deactivation's effects: sign-in blocked, every session ended, direct reports
    handled per the organization's policy, the activity recorded. Idempotent: returns False
    (and changes nothing) when there is nothing left to apply.
    """
    policy = (
        Organization.objects.filter(employees__pk=employee_id)
        .values_list("direct_reports_on_deactivation", "pk")
        .first()
    )
    if policy and policy[0] == Organization.DirectReportsPolicy.REASSIGN:
        # Lock order everywhere: the organization, then employees. Link resolution locks pending
        # employees under the organization lock; taking the employee first could deadlock with it.
        _lock_organization(policy[1])
    employee = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("organization", "manager")
        .filter(pk=employee_id)
        .first()
    )
    if employee is None or employee.status != Employee.Status.DEACTIVATED or employee.deactivation_applied_at:
        return False
    sessions_ended = 0
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=False)
        sessions_ended = user_sessions_end(user_id=employee.user_id)
    reports_moved = _direct_reports_handle(employee=employee)
    employee.deactivation_applied_at = timezone.now()
    employee.save(update_fields=["deactivation_applied_at"])
    # Inside the transaction: the activity entry is written exactly once, with the effects.
    employee_deactivation_applied.send(
        sender=Employee, employee=employee, sessions_ended=sessions_ended, reports_reassigned=reports_moved
    )
    return True


def user_sessions_end(*, user_id: int) -> int:
    """End every session of the user (one indexed delete; see employees.sessions)."""
    ended, _ = UserSession.objects.filter(user_id=user_id).delete()
    return ended


def employee_reactivate(*, employee: Employee) -> Employee:
    """Restore the employee and their sign-in. A deactivation task still queued finds nothing to do.

    Two autocommit UPDATEs rather than a transaction (identity providers reactivate on every
    sync): the sign-in user first, so that a failure in between leaves an employee who is still
    deactivated (sign-in checks the employee's status too), never an active one who cannot sign
    in. The employee's UPDATE is conditional on the state as read; a row written meanwhile (by
    another writer or the deactivation task) is re-read under a lock.
    """
    if employee.status == Employee.Status.ACTIVE and employee.provider_deleted_at is None:
        return employee
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=True)
    reactivated = _update_as_read(employee, **_reactivated_values())
    if not reactivated:
        _reactivate_locked(employee)
    return employee


def _reactivated_values() -> dict:
    return {
        "status": Employee.Status.ACTIVE,
        "activated_at": timezone.now(),
        "deactivated_at": None,
        "deactivation_applied_at": None,
        "provider_deleted_at": None,
    }


@transaction.atomic
def _reactivate_locked(employee: Employee) -> None:
    """The slow path for a stale `employee`: lock the row, reactivate it and the sign-in together."""
    locked = (
        Employee.objects.select_for_update().only("pk", "status", "provider_deleted_at").get(pk=employee.pk)
    )
    if locked.status != Employee.Status.ACTIVE or locked.provider_deleted_at is not None:
        values = _reactivated_values()
        Employee.objects.filter(pk=employee.pk).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if employee.user_id:
            User.objects.filter(pk=employee.user_id).update(is_active=True)
    employee.refresh_from_db()


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


def _provisioned_user(*, is_active: bool):
    # An unusable password: provisioned employees sign in once an admin or SSO sets one.
    return User.objects.create_user(username=f"e-{uuid.uuid4().hex}", password=None, is_active=is_active)


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
    employee.user = _provisioned_user(is_active=active)
    employee.save(force_insert=True)
    # Resolve this employee's own manager link, and link the reports that were provisioned
    # before them and are waiting for their email.
    _enqueue_manager_links_on_commit(employee.organization_id)
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
    _provision_clean(employee)
    values = {key: getattr(employee, key) for key in changed}
    now = timezone.now()
    # One conditional UPDATE, atomic on its own: no transaction, no row lock.
    updated = Employee.objects.filter(pk=employee.pk, version=employee.version).update(
        **values, version=employee.version + 1, updated_at=now
    )
    if not updated:
        raise EmployeeChanged(employee.pk)
    employee.version += 1
    employee.updated_at = now
    if link_needs_resolving or "email" in changed:
        # A new email may be the one some reports are waiting for.
        _enqueue_manager_links_on_commit(employee.organization_id)
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


@transaction.atomic
def organization_update(
    *, organization: Organization, name: str, direct_reports_on_deactivation: str
) -> Organization:
    """An admin's General settings; the deactivation task reads the policy when it runs."""
    organization.name = name.strip()
    organization.direct_reports_on_deactivation = direct_reports_on_deactivation
    organization.full_clean(exclude=["slug", "okta_enabled"])
    organization.save(update_fields=["name", "direct_reports_on_deactivation", "updated_at"])
    return organization
