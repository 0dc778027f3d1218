"""The one seam between the SCIM protocol and the portal's domain and database.

Every function is scoped to the authenticated connection's organization: another organization's
ids simply do not exist here. Reads are single queries (a list page adds a COUNT only when more
rows follow it and the import's previous page did not tell the total, see common.paged and users._user_page);
writes go through employees.services.
"""

from .common import Outcome, Page, Scope, check_version
from .groups import group_create, group_delete, group_get, group_list, group_update
from .tokens import activity_record, connection_id_for, scope_for_token
from .users import user_create, user_delete, user_get, user_list, user_update, user_write_plain

__all__ = [
    "Outcome",
    "Page",
    "Scope",
    "activity_record",
    "check_version",
    "connection_id_for",
    "group_create",
    "group_delete",
    "group_get",
    "group_list",
    "group_update",
    "scope_for_token",
    "user_create",
    "user_delete",
    "user_get",
    "user_list",
    "user_update",
    "user_write_plain",
]
