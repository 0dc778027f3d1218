"""Writes to the HR domain, scoped to one organization: `services.<entity>_<action>(*, ...)`.

One module per concern; callers import this package and never a module of it.
"""

from .accounts import employee_set_password
from .lifecycle import (
    DeactivationsOutcome,
    LastAdminDeactivation,
    employee_apply_deactivation,
    employee_deactivate,
    employee_lock,
    employee_reactivate,
    employee_version_bump,
    organization_apply_deactivations,
    other_active_admins,
    user_sessions_end,
)
from .managers import (
    LinksOutcome,
    ManagerCheck,
    employee_set_manager,
    manager_check,
    organization_resolve_manager_links,
)
from .organizations import organization_create, organization_update
from .profiles import (
    PROFILE_FIELDS,
    EmployeeConflict,
    employee_create,
    employee_provider_delete,
    employee_provider_update,
    employee_provision,
    employee_set_roles,
    employee_update,
)
from .teams import team_create, team_delete, team_set_members, team_update

__all__ = [
    "PROFILE_FIELDS",
    "DeactivationsOutcome",
    "EmployeeConflict",
    "LastAdminDeactivation",
    "LinksOutcome",
    "ManagerCheck",
    "employee_apply_deactivation",
    "employee_create",
    "employee_deactivate",
    "employee_lock",
    "employee_provider_delete",
    "employee_provider_update",
    "employee_provision",
    "employee_reactivate",
    "employee_set_manager",
    "employee_set_password",
    "employee_set_roles",
    "employee_update",
    "employee_version_bump",
    "manager_check",
    "organization_apply_deactivations",
    "organization_create",
    "organization_resolve_manager_links",
    "organization_update",
    "other_active_admins",
    "team_create",
    "team_delete",
    "team_set_members",
    "team_update",
    "user_sessions_end",
]
