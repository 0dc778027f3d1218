"""Reads for connections, tokens, the SCIM activity record and the guardrails.

One module per concern; callers import this package and never a module of it.
"""

from .activity import (
    CHART_DAYS,
    SYNC_HISTORY_LENGTH,
    DayCount,
    employee_connection,
    employee_sync_history,
    manager_link_problems,
    scim_request_daily_counts,
    scim_request_get,
    scim_request_list,
)
from .connections import (
    TOKEN_IN_USE_WINDOW,
    ConnectionOverview,
    Rotation,
    TokenRow,
    connection_base_url,
    connection_get,
    connection_list,
    connection_overview_get,
    connection_overview_list,
    connection_overview_queryset,
    connection_overviews,
    token_get,
    token_queryset,
)
from .guardrails import (
    guard_decision_list,
    held_summary,
)

__all__ = [
    "CHART_DAYS",
    "ConnectionOverview",
    "DayCount",
    "Rotation",
    "SYNC_HISTORY_LENGTH",
    "TOKEN_IN_USE_WINDOW",
    "TokenRow",
    "connection_base_url",
    "connection_get",
    "connection_list",
    "connection_overview_get",
    "connection_overview_list",
    "connection_overview_queryset",
    "connection_overviews",
    "employee_connection",
    "employee_sync_history",
    "guard_decision_list",
    "held_summary",
    "manager_link_problems",
    "scim_request_daily_counts",
    "scim_request_get",
    "scim_request_list",
    "token_get",
    "token_queryset",
]
