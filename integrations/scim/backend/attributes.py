"""Where each SCIM attribute a filter or sortBy names is stored: the model field, or a constant.

Keys are lowercase attribute paths (attribute names are case-insensitive, RFC 7643 §2.1), with the
enterprise extension's URN prefix removed.
"""

from dataclasses import dataclass

# Group ids are the team's key after this prefix, so that no Group has a User's id (RFC 7643 §3.1:
# an id is unique across all the resources of a service provider).
GROUP_ID_PREFIX = "g"


@dataclass(frozen=True)
class Field:
    """A stored attribute: the model field, its kind, and whether strings compare case-exactly."""

    lookup: str
    kind: str = "string"  # string | boolean | datetime | id | status | member
    case_exact: bool = False
    id_prefix: str = ""  # ids (kind id or member) of Groups start with GROUP_ID_PREFIX


@dataclass(frozen=True)
class Constant:
    """An attribute the portal does not store but always answers the same way (emails.type)."""

    value: object


USER_ATTRIBUTES: dict[str, Field | Constant] = {
    "id": Field("pk", "id"),
    "externalid": Field("external_id", case_exact=True),
    "username": Field("username"),
    "displayname": Field("display_name"),
    "nickname": Field("nick_name"),
    "profileurl": Field("profile_url"),
    "usertype": Field("user_type"),
    "preferredlanguage": Field("preferred_language"),
    "locale": Field("locale"),
    "timezone": Field("timezone"),
    "name.formatted": Field("name_formatted"),
    "name.givenname": Field("first_name"),
    "name.familyname": Field("last_name"),
    "name.middlename": Field("middle_name"),
    "name.honorificprefix": Field("honorific_prefix"),
    "name.honorificsuffix": Field("honorific_suffix"),
    "title": Field("job_title"),
    "active": Field("status", "status"),
    "emails": Field("email"),
    "emails.value": Field("email"),
    "emails.type": Constant("work"),
    "emails.primary": Constant(True),
    # Phone numbers and addresses: the entry the profile shows (its columns), not the others.
    "phonenumbers": Field("phone_number"),
    "phonenumbers.value": Field("phone_number"),
    "addresses.formatted": Field("address_formatted"),
    "addresses.streetaddress": Field("street_address"),
    "addresses.locality": Field("location_city"),
    "addresses.region": Field("region"),
    "addresses.postalcode": Field("postal_code"),
    "addresses.country": Field("country"),
    "addresses.type": Constant("work"),
    "addresses.primary": Constant(True),
    "employeenumber": Field("employee_number"),
    "costcenter": Field("cost_center"),
    "organization": Field("company"),
    "department": Field("department"),
    "division": Field("business_unit"),
    "manager": Field("manager_email"),
    "manager.value": Field("manager_email"),
    "meta.created": Field("created_at", "datetime"),
    "meta.lastmodified": Field("updated_at", "datetime"),
    "groups": Field("teams__id", "member", id_prefix=GROUP_ID_PREFIX),
    "groups.value": Field("teams__id", "member", id_prefix=GROUP_ID_PREFIX),
}

GROUP_ATTRIBUTES: dict[str, Field | Constant] = {
    "id": Field("pk", "id", id_prefix=GROUP_ID_PREFIX),
    "externalid": Field("external_id", case_exact=True),
    "displayname": Field("name"),
    "members": Field("members__id", "member"),
    "members.value": Field("members__id", "member"),
    "members.type": Constant("User"),
    "meta.created": Field("created_at", "datetime"),
    "meta.lastmodified": Field("updated_at", "datetime"),
}
