"""Identity-provider connections, their SCIM tokens, and the record of every SCIM request."""

from .activity import ActivityRetention, AlertPreference, AlertState, ScimRequest
from .connections import (
    LOOKUP_LENGTH,
    TOKEN_PREFIX,
    Connection,
    ConnectionToken,
    ProvisionedEmployee,
    ProvisionedTeam,
    new_public_id,
    token_digest,
)
from .guardrails import DeactivationBrake, GuardDecision, ProvisionedDeactivation

__all__ = [
    "LOOKUP_LENGTH",
    "TOKEN_PREFIX",
    "ActivityRetention",
    "AlertPreference",
    "AlertState",
    "Connection",
    "ConnectionToken",
    "DeactivationBrake",
    "GuardDecision",
    "ProvisionedDeactivation",
    "ProvisionedEmployee",
    "ProvisionedTeam",
    "ScimRequest",
    "new_public_id",
    "token_digest",
]
