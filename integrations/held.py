"""Admins' decisions on held deactivations (integrations.brake): apply, keep active, reset.

Each person is decided in a transaction of their own; every decision is recorded through
decisions.decision_record.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from employees import services as employee_services

from .brake import State, held_mark, held_queryset
from .decisions import decision_record
from .models import Connection, GuardDecision


@dataclass
class HeldOutcome:
    done: int = 0
    refused: list[str] = field(default_factory=list)  # people the decision could not apply to


def held_list(*, connection: Connection):
    held = held_queryset().filter(connection=connection).select_related("employee")
    return held.order_by("created_at", "pk")


def _chosen(connection: Connection, ids: list[int] | None) -> list[int]:
    held = held_queryset().filter(connection=connection)
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
            held = held_queryset().select_for_update().filter(pk=pk).select_related("employee").first()
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
            held_mark(held, state=State.APPROVED, actor=actor)
            outcome.done += 1
    _decided(connection, GuardDecision.Action.APPLY, outcome, actor)
    return outcome


def held_keep(*, connection: Connection, ids: list[int] | None, actor) -> HeldOutcome:
    """Keep the chosen people (None: all) active; the provider reads `active: true` again (and a
    person it deleted is visible to it again), so its next import shows the difference."""
    outcome = HeldOutcome()
    for pk in _chosen(connection, ids):
        with transaction.atomic():
            held = held_queryset().select_for_update().filter(pk=pk).select_related("employee").first()
            if held is None:
                continue
            held_mark(held, state=State.KEPT, actor=actor)
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
    held = list(held_queryset().filter(connection=connection).select_related("employee"))
    for item in held:
        held_mark(item, state=State.KEPT, actor=actor)
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
    if not held_queryset().filter(connection=connection).exists():
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
