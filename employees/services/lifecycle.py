"""Deactivation and reactivation, and the effects a deactivation has once applied."""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Employee, Organization, UserSession
from ..signals import employee_deactivation_applied, employee_roster_changed
from .managers import _lock_organization

User = get_user_model()
logger = logging.getLogger(__name__)


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


def _roster_changed(organization_id: int) -> None:
    """The organization gained or lost an employee (see employees.signals.employee_roster_changed)."""
    employee_roster_changed.send(sender=Employee, organization_id=organization_id)


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
    transaction.on_commit(lambda: _enqueue_deactivations(employee.organization_id))
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
    # Employees without a login account (provisioned ones until they get a way to sign in) have
    # no sign-in to block and no session to end; the rest of the deactivation applies all the same.
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


# Deactivations applied per organization run at most; a run that reaches it queues the next, so
# each stays well within its time limit.
DEACTIVATIONS_PER_RUN = 500


@dataclass(frozen=True)
class DeactivationsOutcome:
    applied: int
    more: bool  # stopped at the per-run bound with deactivations possibly left to apply
    error: Exception | None = None  # the first failure; the other employees were applied


def organization_apply_deactivations(
    *, organization_id: int, limit: int | None = None
) -> DeactivationsOutcome:
    """Apply the organization's pending deactivations, oldest first, each in its own transaction.

    One employee's failure does not hold back the others: it is logged, the rest are applied,
    and the outcome carries it so the run is retried for what is left. Idempotent.
    """
    limit = DEACTIVATIONS_PER_RUN if limit is None else limit
    pending = list(
        Employee.objects.filter(
            organization_id=organization_id,
            status=Employee.Status.DEACTIVATED,
            deactivation_applied_at__isnull=True,
        )
        .order_by("deactivated_at", "pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    applied, error = 0, None
    for employee_id in pending[:limit]:
        try:
            applied += employee_apply_deactivation(employee_id=employee_id)
        except Exception as exc:
            logger.exception("Could not apply the deactivation of employee %s.", employee_id)
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
