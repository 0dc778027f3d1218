"""The deactivation brake: deactivations from provisioning are held for an admin's decision when a
connection sends more than the organization's threshold within its window, and always for
protected people (the last active admin, support staff).

A held person stays active in the portal (sign-in, sessions, reports); what the identity provider
reads is what it set (`active: false`, or 404 after a DELETE), so its task completes and it never
retries. Admins then apply the deactivation (the normal pipeline) or keep the person active (the
provider reads `active: true` again). Every decision goes through decisions.decision_record.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from employees import services as employee_services
from employees.models import Employee, Organization

from .decisions import decision_record
from .models import Connection, DeactivationBrake, GuardDecision, ProvisionedDeactivation

User = get_user_model()

DEFAULT_THRESHOLD = 10
DEFAULT_WINDOW_MINUTES = 60
MAX_WINDOW_MINUTES = 7 * 24 * 60
State = ProvisionedDeactivation.State
Reason = ProvisionedDeactivation.Reason


@dataclass(frozen=True)
class RequestInfo:
    """The SCIM request that asks for a deactivation: its line for the held list, and the origin
    it reached the portal at, for the link in the admins' email."""

    line: str = ""
    origin: str = ""


def brake_get(*, organization: Organization) -> DeactivationBrake:
    """The organization's brake; the defaults (unsaved) when it never changed them."""
    brake = DeactivationBrake.objects.filter(organization=organization).first()
    return brake or DeactivationBrake(organization=organization)


def _brake_of(organization: Organization) -> DeactivationBrake:
    try:
        return organization.deactivation_brake
    except DeactivationBrake.DoesNotExist:
        return DeactivationBrake(organization=organization)


def brake_limit(*, brake: DeactivationBrake, active_employees: int) -> int:
    """How many deactivations the window allows: the set threshold, else the larger of
    DEFAULT_THRESHOLD and a tenth of the active employees."""
    if brake.threshold is not None:
        return brake.threshold
    return max(DEFAULT_THRESHOLD, active_employees // 10)


@transaction.atomic
def brake_update(
    *, organization: Organization, enabled: bool, threshold: int | None, window_minutes: int, actor=None
) -> DeactivationBrake:
    if threshold is not None and threshold < 1:
        raise ValidationError({"threshold": "Allow at least one deactivation, or leave it empty."})
    if not 1 <= window_minutes <= MAX_WINDOW_MINUTES:
        raise ValidationError({"window_minutes": f"Use 1 to {MAX_WINDOW_MINUTES} minutes (a week)."})
    brake, _ = DeactivationBrake.objects.update_or_create(
        organization=organization,
        defaults={"enabled": enabled, "threshold": threshold, "window_minutes": window_minutes},
    )
    limit = "default threshold" if threshold is None else f"threshold {threshold}"
    decision_record(
        organization_id=organization.pk,
        action=GuardDecision.Action.BRAKE_SETTINGS,
        count=0,
        actor=actor,
        detail=f"{'On' if enabled else 'Off'}, {limit}, {window_minutes} minutes.",
    )
    return brake


def _held():
    return ProvisionedDeactivation.objects.filter(state=State.HELD)


def held_exists(*, employee: Employee) -> bool:
    return _held().filter(employee=employee).exists()


def held_annotation() -> Exists:
    """For an Employee queryset: whether a deactivation of the employee is held (one index probe)."""
    return Exists(_held().filter(employee=OuterRef("pk")))


def _protected_reason(employee: Employee) -> str:
    if (
        employee.user_id
        and User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), pk=employee.user_id).exists()
    ):
        return Reason.SUPPORT_STAFF
    if employee.is_org_admin:
        # Admins whose own deactivation is held are on their way out: they do not count.
        others = employee_services.other_active_admins(employee).exclude(held_annotation())
        if not others.exists():
            return Reason.LAST_ADMIN
    return Reason.NONE


def _window_count(connection: Connection, brake: DeactivationBrake, now: datetime.datetime) -> int:
    since = now - datetime.timedelta(minutes=brake.window_minutes)
    if connection.brake_reset_at and connection.brake_reset_at > since:
        since = connection.brake_reset_at
    return ProvisionedDeactivation.objects.filter(connection=connection, created_at__gte=since).count()


def _over_limit(connection: Connection, brake: DeactivationBrake, now: datetime.datetime) -> bool:
    recent = _window_count(connection, brake, now) + 1  # this one included
    if brake.threshold is None and recent <= DEFAULT_THRESHOLD:
        return False  # below any default limit: no need to count the active employees
    active = Employee.objects.filter(
        organization_id=connection.organization_id, status=Employee.Status.ACTIVE
    ).count()
    return recent > brake_limit(brake=brake, active_employees=active)


def deactivation_decide(
    *,
    connection: Connection,
    employee: Employee,
    request: RequestInfo,
    deleted: bool = False,
    held: bool | None = None,
) -> ProvisionedDeactivation:
    """Record a deactivation `connection` asks for, and decide: applied now, or held.

    Called in the SCIM write's transaction with the (active) employee's row locked. The
    connection's row is locked too, so concurrent deactivations are counted one at a time and
    exactly one of them trips the brake. Returns the record; `state` HELD means: do not deactivate.
    `held` is whether one is held already, when the caller read it (None: look it up).
    """
    existing = _held().filter(employee=employee).first() if held is not False else None
    if existing is not None:  # the provider repeats itself (a retry, or DELETE after PATCH)
        if deleted and not existing.deleted:
            existing.deleted = True
            existing.save(update_fields=["deleted"])
        return existing
    now = timezone.now()
    # The connection's row locked, with the organization's brake in the same statement.
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("organization__deactivation_brake")
        .get(pk=connection.pk)
    )
    brake = _brake_of(connection.organization)
    reason = _protected_reason(employee)
    tripped = False
    if not reason and brake.enabled:
        if connection.brake_tripped_at is not None:
            reason = Reason.THRESHOLD
        elif _over_limit(connection, brake, now):
            reason, tripped = Reason.THRESHOLD, True
            connection.brake_tripped_at = now
            connection.save(update_fields=["brake_tripped_at"])
    record = ProvisionedDeactivation.objects.create(
        connection=connection,
        employee=employee,
        created_at=now,
        request=request.line[:200],
        deleted=deleted,
        state=State.HELD if reason else State.APPLIED,
        reason=reason,
    )
    if tripped or reason in (Reason.LAST_ADMIN, Reason.SUPPORT_STAFF):
        # One email per trip (the holds that follow are on the same list), one per protected person.
        _notify_on_commit(connection.pk, request.origin)
    return record


def _notify_on_commit(connection_id: int, origin: str) -> None:
    from .tasks import notify_deactivations_held

    transaction.on_commit(lambda: notify_deactivations_held.delay(connection_id, origin))


def held_release_by_provider(*, employee: Employee) -> bool:
    """The provider reactivated (or created again) a person whose deactivation is held: the hold
    is lifted, recorded. In the caller's transaction, the employee's row locked. Returns whether
    one was held."""
    held = _held().filter(employee=employee).select_related("connection").first()
    if held is None:
        return False
    _decide(held, state=State.RELEASED, actor=None)
    decision_record(
        organization_id=employee.organization_id,
        action=GuardDecision.Action.PROVIDER_RELEASE,
        count=1,
        connection=held.connection,
        detail=f"{employee.full_name} reactivated by the identity provider.",
    )
    return True


def _decide(held: ProvisionedDeactivation, *, state: str, actor) -> None:
    held.state = state
    held.decided_at = timezone.now()
    held.decided_by = actor if actor is not None and actor.is_authenticated else None
    held.save(update_fields=["state", "decided_at", "decided_by"])


@dataclass
class HeldOutcome:
    done: int = 0
    refused: list[str] = field(default_factory=list)  # people the decision could not apply to


def held_list(*, connection: Connection):
    return _held().filter(connection=connection).select_related("employee").order_by("created_at", "pk")


def _chosen(connection: Connection, ids: list[int] | None) -> list[int]:
    held = _held().filter(connection=connection)
    if ids is not None:
        held = held.filter(pk__in=ids)
    return list(held.order_by("created_at", "pk").values_list("pk", flat=True))


def held_apply(*, connection: Connection, ids: list[int] | None, actor) -> HeldOutcome:
    """Apply the chosen held deactivations (None: all) through the normal deactivation pipeline.

    Each person in a transaction of their own: the last active admin is refused and stays held.
    """
    outcome = HeldOutcome()
    for pk in _chosen(connection, ids):
        with transaction.atomic():
            held = _held().select_for_update().filter(pk=pk).select_related("employee").first()
            if held is None:  # decided meanwhile
                continue
            try:
                employee_services.employee_deactivate(
                    employee=held.employee,
                    reason=f"Deactivation from {connection.name} applied by an admin",
                    keep_last_admin=True,
                )
            except employee_services.LastAdminDeactivation:
                outcome.refused.append(held.employee.full_name)
                continue
            _decide(held, state=State.APPROVED, actor=actor)
            outcome.done += 1
    _decided(connection, GuardDecision.Action.APPLY, outcome, actor)
    return outcome


def held_keep(*, connection: Connection, ids: list[int] | None, actor) -> HeldOutcome:
    """Keep the chosen people (None: all) active; the provider reads `active: true` again (and a
    person it deleted is visible to it again), so its next import shows the difference."""
    outcome = HeldOutcome()
    for pk in _chosen(connection, ids):
        with transaction.atomic():
            held = _held().select_for_update().filter(pk=pk).select_related("employee").first()
            if held is None:
                continue
            _decide(held, state=State.KEPT, actor=actor)
            if held.deleted:
                employee_services.employee_reactivate(employee=held.employee)
            else:
                employee_services.employee_version_bump(employee=held.employee)
            outcome.done += 1
    _decided(connection, GuardDecision.Action.KEEP, outcome, actor)
    return outcome


def held_keep_on_delete(*, connection: Connection, actor=None) -> int:
    """The connection is being deleted: its held people stay as they are (active), and nothing
    reads them as inactive any more. In the caller's transaction. Returns how many."""
    held = list(_held().filter(connection=connection).select_related("employee"))
    for item in held:
        _decide(item, state=State.KEPT, actor=actor)
        if item.deleted:
            employee_services.employee_reactivate(employee=item.employee)
        else:
            employee_services.employee_version_bump(employee=item.employee)
    if held:
        decision_record(
            organization_id=connection.organization_id,
            action=GuardDecision.Action.KEEP,
            count=len(held),
            actor=actor,
            connection=connection,
            detail="The connection was deleted; its held people stay active.",
        )
    return len(held)


def _decided(connection: Connection, action: str, outcome: HeldOutcome, actor) -> None:
    if outcome.done:
        decision_record(
            organization_id=connection.organization_id,
            action=action,
            count=outcome.done,
            actor=actor,
            connection=connection,
        )
    if not _held().filter(connection=connection).exists():
        brake_reset(connection=connection, actor=actor, recorded=False)


@transaction.atomic
def brake_reset(*, connection: Connection, actor, recorded: bool = True) -> bool:
    """Untrip the connection's brake; deactivations are counted afresh from now. Returns whether
    it was tripped."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if connection.brake_tripped_at is None:
        return False
    connection.brake_tripped_at = None
    connection.brake_reset_at = timezone.now()
    connection.save(update_fields=["brake_tripped_at", "brake_reset_at"])
    if recorded:
        decision_record(
            organization_id=connection.organization_id,
            action=GuardDecision.Action.RESET,
            count=0,
            actor=actor,
            connection=connection,
        )
    return True
