"""The one seam between the SCIM protocol and the portal's domain and database.

Every function is scoped to the authenticated connection's organization: another organization's
ids simply do not exist here. The protocol layer hands in plain values (the fields a resource
sets, a list query as the client sent it) and gets model instances back; all ORM work for SCIM
is here. Writes go through employees.services; reads are this package's own querysets, and
for the reads nearly every request makes, its own statements (statements.py).
"""

from .common import Outcome, Page, Scope, check_version
from .custom import custom_fields
from .filters import group_id, is_resource_id
from .groups import group_create, group_delete, group_get, group_list, group_update
from .search import resources_search
from .tokens import activity_record, connection_id_for, scope_for_token
from .user_reads import user_get, user_list
from .users import user_create, user_delete, user_update

__all__ = [
    "Outcome",
    "Page",
    "Scope",
    "activity_record",
    "check_version",
    "custom_fields",
    "connection_id_for",
    "group_create",
    "group_delete",
    "group_get",
    "group_id",
    "group_list",
    "group_update",
    "is_resource_id",
    "resources_search",
    "scope_for_token",
    "user_create",
    "user_delete",
    "user_get",
    "user_list",
    "user_update",
]
