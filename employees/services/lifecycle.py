"""Deactivation and reactivation, and the effects a deactivation has once applied."""

import logging
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from engagedly_portal.db import rows_update

from ..models import Employee, Organization, UserSession
from ..signals import DeactivationApplied, employee_deactivations_applied, employee_roster_changed
from .managers import _lock_organization

User = get_user_model()
logger = logging.getLogger(__name__)


def _update_as_read(employee: Employee, **values) -> bool:
    """One UPDATE of the row, applied only if it is still the version that was read.

    deactivation_applied_at is part of the condition because the background task sets it
    without bumping the version. Returns False when someone wrote the row meanwhile.
    """
    now = timezone.now()
    updated = rows_update(
        Employee,
        where={
            "id": employee.pk,
            "version": employee.version,
            "deactivation_applied_at": employee.deactivation_applied_at,
        },
        values={**values, "version": employee.version + 1, "updated_at": now},
    )
    if not updated:
        return False
    for key, value in values.items():
        setattr(employee, key, value)
    employee.version += 1
    employee.updated_at = now
    return True


def _roster_changed(organization_id: int) -> None:
    """The organization gained or lost an employee (see employees.signals.employee_roster_changed)."""
    employee_roster_changed.send(sender=Employee, organization_id=organization_id)


def employee_deactivate(*, employee: Employee, reason: str = "") -> Employee:
    """Mark the employee deactivated at once; the organization's deactivation run applies the effects.

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
    _after_deactivation(employee_id=employee.pk, organization_id=employee.organization_id, reason=reason)
    return employee


def _after_deactivation(*, employee_id: int, organization_id: int, reason: str) -> None:
    """What follows a deactivation's write: the log line, and the organization's deactivation run
    queued (at once outside a transaction, after the caller's commit inside one)."""
    if reason:
        logger.info("Employee %s deactivated: %s", employee_id, reason)
    transaction.on_commit(lambda: _enqueue_deactivations(organization_id))


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


def _enqueue_deactivations(organization_id: int) -> None:
    from ..tasks import enqueue_deactivations

    enqueue_deactivations(organization_id)


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


def employee_apply_deactivation(*, employee_id: int) -> bool:
    """Apply a deactivation's effects: sign-in blocked, every session ended, direct reports
    handled per the organization's policy, the activity recorded. Idempotent: returns False
    (and changes nothing) when there is nothing left to apply.
    """
    row = (
        Employee.objects.filter(pk=employee_id)
        .values_list("organization_id", "organization__direct_reports_on_deactivation")
        .first()
    )
    if row is None:
        return False
    organization_id, policy = row
    return (
        _deactivations_apply(organization_id=organization_id, policy=policy, employee_ids=[employee_id]) == 1
    )


@transaction.atomic
def _deactivations_apply(*, organization_id: int, policy: str, employee_ids: list[int]) -> int:
    """Apply the deactivations of these employees of one organization in one transaction.

    A few statements for the whole batch: the employees locked and read, their sign-in users
    blocked, their sessions counted and ended, the batch marked applied. Returns how many were
    applied; employees reactivated (or already applied) meanwhile are left alone.
    """
    if policy == Organization.DirectReportsPolicy.REASSIGN:
        # Lock order everywhere: the organization, then employees. Link resolution locks pending
        # employees under the organization lock; taking the employee first could deadlock with it.
        _lock_organization(organization_id)
    employees = list(
        Employee.objects.select_for_update(of=("self",))
        .select_related("organization", "manager")
        .filter(
            pk__in=employee_ids,
            organization_id=organization_id,
            status=Employee.Status.DEACTIVATED,
            deactivation_applied_at__isnull=True,
        )
        .order_by("pk")
    )
    if not employees:
        return 0
    # Employees without a login account (provisioned ones until they get a way to sign in) have
    # no sign-in to block and no session to end; the rest of the deactivation applies all the same.
    user_ids = [employee.user_id for employee in employees if employee.user_id]
    sessions: Counter = Counter()
    if user_ids:
        User.objects.filter(pk__in=user_ids).update(is_active=False)
        sessions = Counter(UserSession.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
        if sessions:
            UserSession.objects.filter(user_id__in=user_ids).delete()
    now = timezone.now()
    Employee.objects.filter(pk__in=[employee.pk for employee in employees]).update(
        deactivation_applied_at=now
    )
    applied = []
    for employee in employees:
        # REASSIGN batches hold one employee (see organization_apply_deactivations), so the
        # manager read above is still the employee's own when the reports move up to them.
        reports_moved = _direct_reports_handle(employee=employee)
        employee.deactivation_applied_at = now
        applied.append(
            DeactivationApplied(
                employee=employee,
                has_account=bool(employee.user_id),
                sessions_ended=sessions[employee.user_id] if employee.user_id else 0,
                reports_reassigned=reports_moved,
            )
        )
    # Inside the transaction: the activity entries are written exactly once, with the effects.
    employee_deactivations_applied.send(sender=Employee, applied=applied)
    return len(employees)


# Deactivations applied per organization run at most; a run that reaches it queues the next, so
# each stays well within its time limit. Each transaction applies up to DEACTIVATIONS_BATCH.
DEACTIVATIONS_PER_RUN = 500
DEACTIVATIONS_BATCH = 100


@dataclass(frozen=True)
class DeactivationsOutcome:
    applied: int
    more: bool  # stopped at the per-run bound with deactivations possibly left to apply
    error: Exception | None = None  # the first failure; the other employees were applied


def organization_apply_deactivations(
    *, organization_id: int, limit: int | None = None
) -> DeactivationsOutcome:
    """Apply the organization's pending deactivations, oldest first, in batches.

    One employee's failure does not hold back the others: a batch that fails is applied again
    one employee at a time, the failure is logged, and the outcome carries it so the run is
    retried for what is left. Where reports move up to the deactivated manager's own manager,
    each employee is its own batch: a manager deactivated in the same batch would change it.
    Idempotent.
    """
    limit = DEACTIVATIONS_PER_RUN if limit is None else limit
    policy = (
        Organization.objects.filter(pk=organization_id)
        .values_list("direct_reports_on_deactivation", flat=True)
        .first()
    )
    if policy is None:
        return DeactivationsOutcome(0, more=False)
    pending = list(
        Employee.objects.filter(
            organization_id=organization_id,
            status=Employee.Status.DEACTIVATED,
            deactivation_applied_at__isnull=True,
        )
        .order_by("deactivated_at", "pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    size = 1 if policy == Organization.DirectReportsPolicy.REASSIGN else DEACTIVATIONS_BATCH
    applied, error = 0, None
    batches = [
        pending[start : min(start + size, limit)] for start in range(0, min(len(pending), limit), size)
    ]
    while batches:
        batch = batches.pop(0)
        try:
            applied += _deactivations_apply(
                organization_id=organization_id, policy=policy, employee_ids=batch
            )
        except Exception as exc:
            if len(batch) > 1:
                batches[:0] = [[employee_id] for employee_id in batch]  # find the one that fails
                continue
            logger.exception("Could not apply the deactivation of employee %s.", batch[0])
            error = error or exc
    return DeactivationsOutcome(applied, more=len(pending) > limit, error=error)


def user_sessions_end(*, user_id: int) -> int:
    """End every session of the user (one indexed delete; see employees.sessions)."""
    ended, _ = UserSession.objects.filter(user_id=user_id).delete()
    return ended


def employee_reactivate(*, employee: Employee) -> Employee:
    """Restore the employee and their sign-in. A deactivation task still queued finds nothing to do.

    Autocommit UPDATEs rather than a transaction (identity providers reactivate on every sync):
    one for an employee without a login account (see accounts); with one, the sign-in user first,
    so that a failure in between leaves an employee who is still deactivated (sign-in checks the
    employee's status too), never an active one who cannot sign in. The employee's UPDATE is
    conditional on the state as read; a row written meanwhile (by another writer, the deactivation
    task, or employee_set_password creating the account) is re-read under a lock.
    """
    if employee.status == Employee.Status.ACTIVE and employee.provider_deleted_at is None:
        return employee
    restored = employee.provider_deleted_at is not None
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=True)
    reactivated = _update_as_read(employee, **_reactivated_values())
    if not reactivated:
        # The row changed meanwhile: it may have been marked deleted by the provider since.
        restored = True
        _reactivate_locked(employee)
    if restored:
        _roster_changed(employee.organization_id)
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
        Employee.objects.select_for_update()
        .only("pk", "status", "provider_deleted_at", "user_id")
        .get(pk=employee.pk)
    )
    if locked.status != Employee.Status.ACTIVE or locked.provider_deleted_at is not None:
        values = _reactivated_values()
        Employee.objects.filter(pk=employee.pk).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        # The account as it is now: one may have been created since `employee` was read.
        if locked.user_id:
            User.objects.filter(pk=locked.user_id).update(is_active=True)
    employee.refresh_from_db()
