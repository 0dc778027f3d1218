"""Deactivation and reactivation, and the effects a deactivation has once applied."""

import logging
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Employee, Organization, UserSession
from ..signals import DeactivationApplied, employee_deactivations_applied, employee_roster_changed
from .managers import _lock_organization

User = get_user_model()
logger = logging.getLogger(__name__)


def employee_lock(employee: Employee) -> None:
    """Re-read the employee under a row lock, for a write in the caller's transaction.

    Every write to an employee holds this lock from its read to its commit, so concurrent writers
    to one person (an identity provider's PATCHes, the portal, the deactivation run) take turns
    and each decides on the state the previous one committed.
    """
    employee.refresh_from_db(from_queryset=Employee.objects.select_for_update())


def save_changed(employee: Employee, changed: list[str]) -> None:
    """Write the changed fields of an employee read under employee_lock, bumping its version once."""
    employee.version += 1
    employee.save(update_fields=[*dict.fromkeys(changed), "version", "updated_at"])


def _roster_changed(organization_id: int) -> None:
    """The organization gained or lost an employee (see employees.signals.employee_roster_changed)."""
    employee_roster_changed.send(sender=Employee, organization_id=organization_id)


def deactivated_fields(employee: Employee, reason: str) -> list[str]:
    """Mark the employee deactivated; the organization's deactivation run applies the effects
    once the transaction commits. From this write on the employee cannot sign in (the backend and
    the session middleware check the status). Returns the fields to save."""
    employee.status = Employee.Status.DEACTIVATED
    employee.deactivated_at = timezone.now()
    employee.deactivation_applied_at = None
    if reason:
        logger.info("Employee %s deactivated: %s", employee.pk, reason)
    organization_id = employee.organization_id
    transaction.on_commit(lambda: _enqueue_deactivations(organization_id))
    return ["status", "deactivated_at", "deactivation_applied_at"]


def reactivated_fields(employee: Employee) -> list[str]:
    """Mark the employee active and restore their sign-in (in the same transaction). A
    deactivation run still queued finds nothing to do. Returns the fields to save."""
    employee.status = Employee.Status.ACTIVE
    employee.activated_at = timezone.now()
    employee.deactivated_at = None
    employee.deactivation_applied_at = None
    if employee.user_id:
        User.objects.filter(pk=employee.user_id).update(is_active=True)
    return ["status", "activated_at", "deactivated_at", "deactivation_applied_at"]


def restored_fields(employee: Employee) -> list[str]:
    """Undo a provider's deletion mark: the employee is listed to providers again."""
    employee.provider_deleted_at = None
    _roster_changed(employee.organization_id)
    return ["provider_deleted_at"]


class LastAdminDeactivation(ValidationError):
    """The organization would be left without an active admin, so nobody could manage it."""


def other_active_admins(employee: Employee):
    """The organization's active admins other than `employee`."""
    return Employee.objects.filter(
        organization_id=employee.organization_id, is_org_admin=True, status=Employee.Status.ACTIVE
    ).exclude(pk=employee.pk)


@transaction.atomic
def employee_deactivate(*, employee: Employee, reason: str = "", keep_last_admin: bool = False) -> Employee:
    """Deactivate at once; the effects (sign-in, sessions, reports) follow in the background.

    With `keep_last_admin` (a person's decision in the portal) the organization's last active
    admin is refused with LastAdminDeactivation.
    """
    employee_lock(employee)
    # The other admins' rows locked: two admins deactivating each other at once cannot both pass.
    if (
        keep_last_admin
        and employee.is_active
        and employee.is_org_admin
        and not other_active_admins(employee).select_for_update().exists()
    ):
        raise LastAdminDeactivation(
            f"{employee.full_name} is the organization's last active admin. Make someone else an admin first."
        )
    if employee.status != Employee.Status.DEACTIVATED:
        save_changed(employee, deactivated_fields(employee, reason))
    return employee


@transaction.atomic
def employee_reactivate(*, employee: Employee) -> Employee:
    """Restore the employee, their sign-in, and their visibility to identity providers."""
    employee_lock(employee)
    changed = []
    if employee.status != Employee.Status.ACTIVE:
        changed += reactivated_fields(employee)
    if employee.provider_deleted_at is not None:
        changed += restored_fields(employee)
    if changed:
        save_changed(employee, changed)
    return employee


@transaction.atomic
def employee_version_bump(*, employee: Employee) -> Employee:
    """A new version with no field changed: what others show of the employee changed (a
    provider's deactivation held, or a hold lifted), so ETags must change too."""
    employee_lock(employee)
    save_changed(employee, [])
    return employee


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
        # Reactivating this manager offers to move them back (services.employee_reports_restore);
        # a report moved before keeps the manager it was first moved from, its own.
        moved_from_manager=Coalesce("moved_from_manager", Value(employee.pk), output_field=BigIntegerField()),
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
