"""Reads from the HR domain, scoped to one organization: `selectors.<entity>_<query>(*, ...)`.

One module per concern; callers import this package and never a module of it.
"""

from .background import (
    background_backlog,
    background_heartbeats,
    deactivation_organizations_pending,
    employee_unresolved_manager_links,
    manager_link_organizations_resolvable,
)
from .chart import (
    CHART_BRANCH_LIMIT,
    chart_person,
    chart_reports,
    chart_roots,
    employee_chain,
    team_get,
    team_list,
    team_members,
)
from .custom_fields import (
    custom_field_get,
    custom_field_holders,
    custom_fields_list,
    employee_custom_values,
    employees_with_custom_value,
)
from .people import (
    department_names,
    employee_counts,
    employee_direct_reports,
    employee_for_email,
    employee_for_password_link,
    employee_get,
    employee_list,
    employee_managed_fields,
    employee_reports_moved_away,
    employees_signing_in_as,
    invitations_unsent,
    organization_get,
    sign_in_event_list,
)

__all__ = [
    "CHART_BRANCH_LIMIT",
    "background_backlog",
    "background_heartbeats",
    "chart_person",
    "chart_reports",
    "chart_roots",
    "custom_field_get",
    "custom_field_holders",
    "custom_fields_list",
    "deactivation_organizations_pending",
    "department_names",
    "employee_chain",
    "employee_counts",
    "employee_custom_values",
    "employee_direct_reports",
    "employee_for_email",
    "employee_for_password_link",
    "employee_get",
    "employee_list",
    "employee_managed_fields",
    "employee_reports_moved_away",
    "employee_unresolved_manager_links",
    "employees_signing_in_as",
    "employees_with_custom_value",
    "invitations_unsent",
    "manager_link_organizations_resolvable",
    "organization_get",
    "sign_in_event_list",
    "team_get",
    "team_list",
    "team_members",
]
