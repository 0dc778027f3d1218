"""Where each SCIM attribute a filter or sortBy names is stored: the model field, or a constant.

Keys are lowercase attribute paths (attribute names are case-insensitive, RFC 7643 §2.1), with the
enterprise extension's URN prefix removed.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A stored attribute: the model field, its kind, and whether strings compare case-exactly."""

    lookup: str
    kind: str = "string"  # string | boolean | datetime | id | status | member
    case_exact: bool = False


@dataclass(frozen=True)
class Constant:
    """An attribute the portal does not store but always answers the same way (emails.type)."""

    value: object


USER_ATTRIBUTES: dict[str, Field | Constant] = {
    "id": Field("pk", "id"),
    "externalid": Field("external_id", case_exact=True),
    "username": Field("username"),
    "displayname": Field("display_name"),
    "name.givenname": Field("first_name"),
    "name.familyname": Field("last_name"),
    "title": Field("job_title"),
    "active": Field("status", "status"),
    "emails": Field("email"),
    "emails.value": Field("email"),
    "emails.type": Constant("work"),
    "emails.primary": Constant(True),
    "addresses.locality": Field("location_city"),
    "addresses.type": Constant("work"),
    "addresses.primary": Constant(True),
    "employeenumber": Field("employee_number"),
    "department": Field("department"),
    "division": Field("business_unit"),
    "manager": Field("manager_email"),
    "manager.value": Field("manager_email"),
    "meta.created": Field("created_at", "datetime"),
    "meta.lastmodified": Field("updated_at", "datetime"),
    "groups": Field("teams__id", "member"),
    "groups.value": Field("teams__id", "member"),
}

GROUP_ATTRIBUTES: dict[str, Field | Constant] = {
    "id": Field("pk", "id"),
    "externalid": Field("external_id", case_exact=True),
    "displayname": Field("name"),
    "members": Field("members__id", "member"),
    "members.value": Field("members__id", "member"),
    "members.type": Constant("User"),
    "meta.created": Field("created_at", "datetime"),
    "meta.lastmodified": Field("updated_at", "datetime"),
}
