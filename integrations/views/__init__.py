"""Settings > Integrations: connections and tokens, the credentials hand-over, SCIM activity, and
the guardrails (the deactivation brake, held deactivations, employee ownership)."""

from .activity import activity_detail, activity_export
from .alerts import alert_preferences
from .connections import (
    connection_create,
    connection_delete,
    connection_detail,
    integrations_index,
    provider_page,
    token_create,
    token_revoke,
)
from .credentials import credentials
from .guardrails import brake_update, employee_owner, held_decide
from .mapping import connection_mapping
from .retention import activity_retention

__all__ = [
    "activity_detail",
    "alert_preferences",
    "activity_export",
    "brake_update",
    "activity_retention",
    "connection_create",
    "connection_delete",
    "connection_mapping",
    "connection_detail",
    "credentials",
    "employee_owner",
    "held_decide",
    "integrations_index",
    "provider_page",
    "token_create",
    "token_revoke",
]
