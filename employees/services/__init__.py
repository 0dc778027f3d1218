"""Writes to the HR domain, scoped to one organization: `services.<entity>_<action>(*, ...)`.

One module per concern; callers import this package and never a module of it.
"""

from .accounts import (
    employee_invitation_done,
    employee_invite,
    employee_login_account,
    employee_set_password,
    employees_invitation_retry,
    employees_invite,
    password_reset_request,
)
from .custom_fields import (
    custom_field_archive,
    custom_field_create,
    custom_field_delete,
    custom_field_restore,
    custom_field_update,
    custom_fields_active,
    custom_values_merge,
    employee_set_custom_values,
)
from .heartbeat import background_heartbeat_record
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
from .organizations import organization_create, organization_set_sso_required, organization_update
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
from .reassign import RestoreOutcome, employee_reports_keep_moved, employee_reports_restore
from .sign_in_events import sign_in_event_record
from .teams import (
    team_add_member,
    team_create,
    team_delete,
    team_remove_member,
    team_set_members,
    team_update,
)

__all__ = [
    "background_heartbeat_record",
    "PROFILE_FIELDS",
    "DeactivationsOutcome",
    "EmployeeConflict",
    "LastAdminDeactivation",
    "LinksOutcome",
    "ManagerCheck",
    "RestoreOutcome",
    "custom_field_archive",
    "custom_field_create",
    "custom_field_delete",
    "custom_field_restore",
    "custom_field_update",
    "custom_fields_active",
    "custom_values_merge",
    "employee_apply_deactivation",
    "employee_create",
    "employee_deactivate",
    "employee_lock",
    "employee_login_account",
    "employee_provider_delete",
    "employee_provider_update",
    "employee_provision",
    "employee_reactivate",
    "employee_reports_keep_moved",
    "employee_reports_restore",
    "employee_set_manager",
    "employee_set_custom_values",
    "employee_invitation_done",
    "employee_invite",
    "employee_set_password",
    "employee_set_roles",
    "employee_update",
    "employees_invitation_retry",
    "employees_invite",
    "employee_version_bump",
    "manager_check",
    "organization_apply_deactivations",
    "organization_create",
    "organization_resolve_manager_links",
    "organization_set_sso_required",
    "organization_update",
    "team_add_member",
    "password_reset_request",
    "sign_in_event_record",
    "other_active_admins",
    "team_create",
    "team_delete",
    "team_remove_member",
    "team_set_members",
    "team_update",
    "user_sessions_end",
]
