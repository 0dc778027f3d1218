"""The record of guardrail decisions: who decided what, when, and for how many people.

One function writes it, and writes the organization's audit trail (audit.services) with it.
"""

from django.contrib.auth.models import AbstractBaseUser

from audit.actions import register
from audit.services import audit_record

from .models import Connection, GuardDecision

# The audit trail's names for the decisions (GuardDecision.Action), labelled as the decisions are.
AUDIT_ACTIONS = {
    GuardDecision.Action.APPLY: "brake.applied",
    GuardDecision.Action.KEEP: "brake.kept_active",
    GuardDecision.Action.RESET: "brake.reset",
    GuardDecision.Action.PROVIDER_RELEASE: "brake.released_by_provider",
    GuardDecision.Action.MOVE: "employee.owner_moved",
    GuardDecision.Action.RELEASE: "employee.owner_released",
    GuardDecision.Action.BRAKE_SETTINGS: "brake.settings_changed",
}
for _decision, _action in AUDIT_ACTIONS.items():
    register(_action, _decision.label)


def decision_record(
    *,
    organization_id: int,
    action: str,
    count: int,
    actor: AbstractBaseUser | None = None,
    connection: Connection | None = None,
    detail: str = "",
) -> GuardDecision:
    """Record one decision (actor None: the identity provider or the portal itself decided)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    decision = GuardDecision.objects.create(
        organization_id=organization_id,
        connection=connection,
        actor=actor,
        action=action,
        count=count,
        detail=detail[:500],
    )
    audit_record(
        action=AUDIT_ACTIONS.get(action, f"brake.{action}"),
        organization=decision.organization,
        actor=actor,
        target=connection,
        after={"people": count, **({"detail": detail[:500]} if detail else {})},
    )
    return decision
