"""The record of guardrail decisions: who decided what, when, and for how many people.

One function writes it, so that a general audit trail can later be written from the same place.
"""

from django.contrib.auth.models import AbstractBaseUser

from .models import Connection, GuardDecision


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
    return GuardDecision.objects.create(
        organization_id=organization_id,
        connection=connection,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        count=count,
        detail=detail[:500],
    )
