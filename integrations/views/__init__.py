"""Settings > Integrations: connections and tokens, the credentials hand-over, SCIM activity."""

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
from .mapping import connection_mapping
from .retention import activity_retention

__all__ = [
    "activity_detail",
    "alert_preferences",
    "activity_export",
    "activity_retention",
    "connection_create",
    "connection_delete",
    "connection_mapping",
    "connection_detail",
    "credentials",
    "integrations_index",
    "provider_page",
    "token_create",
    "token_revoke",
]
