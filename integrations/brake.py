"""The deactivation brake: deactivations from provisioning are held for an admin's decision when a
connection sends more than the organization's threshold within its window, and always for
protected people (the last active admin, support staff).

A held person stays active in the portal (sign-in, sessions, reports); what the identity provider
reads is what it set (`active: false`, or 404 after a DELETE), so its task completes and it never
retries. Admins then apply the deactivation (the normal pipeline) or keep the person active (the
provider reads `active: true` again): integrations.held. Every decision goes through
decisions.decision_record.
"""

import datetime
from dataclasses import dataclass

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


_SETTINGS = ("enabled", "threshold", "window_minutes")


def _lock(connection: Connection) -> tuple[DeactivationBrake, dict]:
    """Lock the connection's row, so that concurrent deactivations are counted one at a time.
    Returns the organization's brake (the defaults without a row) and the connection's brake
    marks (`brake_tripped_at`, `brake_reset_at`), read by the same statement."""
    related = {name: f"organization__deactivation_brake__{name}" for name in _SETTINGS}
    marks = (
        Connection.objects.select_for_update(of=("self",))
        .filter(pk=connection.pk)
        .values("brake_tripped_at", "brake_reset_at", *related.values())
        .get()
    )
    chosen = {name: marks.pop(column) for name, column in related.items()}
    brake = DeactivationBrake(organization_id=connection.organization_id)
    if chosen["enabled"] is not None:  # the organization changed the defaults
        brake = DeactivationBrake(organization_id=connection.organization_id, **chosen)
    return brake, marks


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


def held_queryset():
    return ProvisionedDeactivation.objects.filter(state=State.HELD)


def held_exists(*, employee: Employee) -> bool:
    return held_queryset().filter(employee=employee).exists()


def held_annotation() -> Exists:
    """For an Employee queryset: whether a deactivation of the employee is held (one index probe)."""
    return Exists(held_queryset().filter(employee=OuterRef("pk")))


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


def _window_count(
    connection: Connection,
    brake: DeactivationBrake,
    now: datetime.datetime,
    reset_at: datetime.datetime | None,
) -> int:
    since = now - datetime.timedelta(minutes=brake.window_minutes)
    if reset_at and reset_at > since:
        since = reset_at
    return ProvisionedDeactivation.objects.filter(connection=connection, created_at__gte=since).count()


def _over_limit(
    connection: Connection,
    brake: DeactivationBrake,
    now: datetime.datetime,
    reset_at: datetime.datetime | None,
) -> bool:
    recent = _window_count(connection, brake, now, reset_at) + 1  # this one included
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
    existing = held_queryset().filter(employee=employee).first() if held is not False else None
    if existing is not None:  # the provider repeats itself (a retry, or DELETE after PATCH)
        if deleted and not existing.deleted:
            existing.deleted = True
            existing.save(update_fields=["deleted"])
        return existing
    brake, marks = _lock(connection)
    now = timezone.now()
    reason = _protected_reason(employee)
    tripped = False
    if not reason and brake.enabled:
        if marks["brake_tripped_at"] is not None:
            reason = Reason.THRESHOLD
        elif _over_limit(connection, brake, now, marks["brake_reset_at"]):
            reason, tripped = Reason.THRESHOLD, True
            Connection.objects.filter(pk=connection.pk).update(brake_tripped_at=now)
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


# The email waits this long after the trip, so that its count includes the burst that tripped it
# (an identity provider sends a mass deactivation within seconds).
NOTIFY_DELAY_SECONDS = 30


def _notify_on_commit(connection_id: int, origin: str) -> None:
    from .tasks import notify_deactivations_held

    transaction.on_commit(
        lambda: notify_deactivations_held.apply_async((connection_id, origin), countdown=NOTIFY_DELAY_SECONDS)
    )


def held_release_by_provider(*, employee: Employee) -> bool:
    """The provider reactivated (or created again) a person whose deactivation is held: the hold
    is lifted, recorded. In the caller's transaction, the employee's row locked. Returns whether
    one was held."""
    held = held_queryset().filter(employee=employee).select_related("connection").first()
    if held is None:
        return False
    held_mark(held, state=State.RELEASED, actor=None)
    decision_record(
        organization_id=employee.organization_id,
        action=GuardDecision.Action.PROVIDER_RELEASE,
        count=1,
        connection=held.connection,
        detail=f"{employee.full_name} reactivated by the identity provider.",
    )
    return True


def held_mark(held: ProvisionedDeactivation, *, state: str, actor) -> None:
    held.state = state
    held.decided_at = timezone.now()
    held.decided_by = actor if actor is not None and actor.is_authenticated else None
    held.save(update_fields=["state", "decided_at", "decided_by"])


@dataclass(frozen=True)
class Guarded:
    """A provider's write after the brake: the status to write, whether a deactivation is held
    now, and whether what the provider reads changed though no field does (a new version)."""

    active: bool | None
    held: bool
    shown_changed: bool


def provider_write_guard(
    *, connection: Connection, employee: Employee, active: bool | None, restore: bool, request: RequestInfo
) -> Guarded:
    """Before a provider's write to an employee read under lock: a deactivation is decided (and
    may be held: the status stays), a reactivation or re-creation lifts a hold."""
    held = getattr(employee, "deactivation_held", None)
    if held is None:  # not read through the SCIM backend's annotated queryset
        held = held_exists(employee=employee)
    if active is False and employee.status == Employee.Status.ACTIVE:
        record = deactivation_decide(connection=connection, employee=employee, request=request, held=held)
        if record.state == State.HELD:
            # Held: the person stays active here; the provider reads what it set, with no error.
            return Guarded(active=None, held=True, shown_changed=not held)
    elif held and (active is True or restore) and employee.status == Employee.Status.ACTIVE:
        released = held_release_by_provider(employee=employee)
        return Guarded(active=active, held=not released, shown_changed=released)
    return Guarded(active=active, held=held, shown_changed=False)
