"""Between SCIM resources and the portal's fields: the whole core User and enterprise schemas both
ways (SPEC §2.5 names the nine attributes mapped by default).

Rendering builds plain dicts (the hot path of every list page); parsing goes through the typed
scim2-models resources, so every value a client sends is validated first.
"""

import hashlib
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError

from employees.validators import validate_international_email

from .backend.filters import group_id
from .custom import custom_section, with_custom
from .schemas import (
    ENTERPRISE_SCHEMA,
    GROUP_SCHEMA,
    USER_SCHEMA,
    EnterpriseUser,
    PersonName,
    ScimGroup,
    ScimUser,
)

# The portal keys sign-in and uniqueness on an email. A SCIM user may have none (only userName is
# required, RFC 7643 §4.1); it then gets an address under the reserved .invalid TLD (RFC 2606),
# derived from the unique userName, which is never rendered back.
NO_EMAIL_DOMAIN = "no-email.invalid"


def _email_for(user_name: str) -> str:
    try:
        validate_international_email(user_name)
        return user_name
    except ValidationError:
        digest = hashlib.sha256(user_name.lower().encode()).hexdigest()[:32]
        return f"{digest}@{NO_EMAIL_DOMAIN}"


def isoformat(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def etag(version: int) -> str:
    return f'W/"{version}"'


def _meta(resource_type: str, obj, location: str) -> dict:
    return {
        "resourceType": resource_type,
        "created": isoformat(obj.created_at),
        "lastModified": isoformat(obj.updated_at),
        "location": location,
        "version": etag(obj.version),
    }


# (SCIM attribute, Employee field) pairs of the single-valued attributes, in RFC 7643 §4.1 order.
_NAME = (
    ("formatted", "name_formatted"),
    ("familyName", "last_name"),
    ("givenName", "first_name"),
    ("middleName", "middle_name"),
    ("honorificPrefix", "honorific_prefix"),
    ("honorificSuffix", "honorific_suffix"),
)
_SINGULAR = (
    ("displayName", "display_name"),
    ("nickName", "nick_name"),
    ("profileUrl", "profile_url"),
    ("title", "job_title"),
    ("userType", "user_type"),
    ("preferredLanguage", "preferred_language"),
    ("locale", "locale"),
    ("timezone", "timezone"),
)
_ADDRESS = (
    ("formatted", "address_formatted"),
    ("streetAddress", "street_address"),
    ("locality", "location_city"),
    ("region", "region"),
    ("postalCode", "postal_code"),
    ("country", "country"),
)
_ENTERPRISE = (
    ("employeeNumber", "employee_number"),
    ("costCenter", "cost_center"),
    ("organization", "company"),
    ("division", "business_unit"),
    ("department", "department"),
)
# Employee.profile_extras kinds and the multi-valued attributes they hold (all of an attribute's
# entries for the last five; the entries besides the one in columns for the first two).
_EXTRAS = (
    ("phone_numbers", "phoneNumbers"),
    ("addresses", "addresses"),
    ("ims", "ims"),
    ("photos", "photos"),
    ("entitlements", "entitlements"),
    ("roles", "roles"),
    ("x509_certificates", "x509Certificates"),
)


def _present(employee, pairs) -> dict:
    return {attribute: value for attribute, field in pairs if (value := getattr(employee, field))}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def user_active(employee) -> bool:
    """`active` as the provider set it: a deactivation held for an admin's decision
    (integrations.brake, annotated by the backend) reads false while the person stays active."""
    return employee.status == "active" and not getattr(employee, "deactivation_held", False)


def user_render(employee, *, base_url: str, custom_fields=None) -> dict:
    """The stored user, every stored attribute included, so a GET → PUT round trip keeps it.

    `custom_fields` (a callable: the organization's active custom fields, read once per request and
    only for an employee that has custom values) adds the product's extension (custom.py).
    """
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": str(employee.pk)}
    if employee.external_id:
        body["externalId"] = employee.external_id
    body["userName"] = employee.username
    if name := _present(employee, _NAME):
        body["name"] = name
    body.update(_present(employee, _SINGULAR))
    body["active"] = user_active(employee)
    if not employee.email.endswith("@" + NO_EMAIL_DOMAIN):
        body["emails"] = [{"value": employee.email, "type": "work"}]
    # The entry in columns first, then the others; an entry without a label is the work one.
    shown = {
        "phoneNumbers": employee.phone_number
        and {"value": employee.phone_number, "type": employee.phone_type or "work"},
        "addresses": (address := _present(employee, _ADDRESS))
        and {**address, "type": employee.address_type or "work"},
    }
    extras = employee.profile_extras or {}
    for kind, attribute in _EXTRAS:
        entries = [shown[attribute]] if shown.get(attribute) else []
        entries += [{_camel(key): value for key, value in entry.items()} for entry in extras.get(kind, ())]
        if entries:
            body[attribute] = entries
    enterprise = _present(employee, _ENTERPRISE)
    if employee.manager_email:
        enterprise["manager"] = {"value": employee.manager_email}
    if enterprise:
        body["schemas"].append(ENTERPRISE_SCHEMA)
        body[ENTERPRISE_SCHEMA] = enterprise
    if custom_fields is not None and employee.custom_values:
        with_custom(body, custom_section(employee.custom_values, custom_fields()))
    body["meta"] = _meta("User", employee, f"{base_url}/Users/{employee.pk}")
    return body


def _pick(entries):
    """The "work" entry, else the first (normalise_user_body put a primary one first)."""
    for entry in entries:
        if entry.type and str(entry.type).lower() == "work":
            return entry
    return entries[0] if entries else None


def _entry(entry) -> dict:
    return entry.model_dump(mode="json", by_alias=False, exclude_none=True)


def _text(value) -> str:
    return str(value) if value else ""


def user_fields(user: ScimUser) -> dict:
    """The portal fields a (validated) SCIM user sets. Absent attributes clear their field:
    PUT replaces the resource (RFC 7644 §3.5.1) and PATCH results are complete resources."""
    email = _pick([entry for entry in user.emails or [] if entry.value])
    phones = [entry for entry in user.phone_numbers or [] if entry.value]
    addresses = [entry for entry in user.addresses or [] if _entry(entry).keys() - {"type"}]
    phone, address = _pick(phones), _pick(addresses)
    name = user.name or PersonName()
    enterprise = user[EnterpriseUser] or EnterpriseUser()
    manager = enterprise.manager.value if enterprise.manager and enterprise.manager.value else ""
    user_name = (user.user_name or "").strip()
    extras = {
        "phone_numbers": [entry for entry in phones if entry is not phone],
        "addresses": [entry for entry in addresses if entry is not address],
        "ims": user.ims,
        "photos": user.photos,
        "entitlements": user.entitlements,
        "roles": user.roles,
        "x509_certificates": user.x509_certificates,
    }
    extras = {kind: [e for e in map(_entry, entries or ()) if e] for kind, entries in extras.items()}
    return {
        "username": user_name,
        # Okta's userName is the email; a client that sends no email still gets one that way.
        "email": str(email.value) if email else _email_for(user_name),
        **{field: _text(getattr(name, _snake(attr))) for attr, field in _NAME},
        **{field: _text(getattr(user, _snake(attr))) for attr, field in _SINGULAR},
        "phone_number": _text(phone and phone.value),
        "phone_type": _text(phone and phone.type),
        "address_type": _text(address and address.type),
        **{field: _text(address and getattr(address, _snake(attr))) for attr, field in _ADDRESS},
        **{field: _text(getattr(enterprise, _snake(attr))) for attr, field in _ENTERPRISE},
        "external_id": user.external_id or "",
        "manager_email": manager,
        "profile_extras": {kind: entries for kind, entries in extras.items() if entries},
    }


@cache  # a few dozen attribute names, each converted on every write
def _snake(attribute: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in attribute)


def group_render(team, *, base_url: str) -> dict:
    scim_id = group_id(team.pk)
    body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": scim_id}
    if team.external_id:
        body["externalId"] = team.external_id
    body["displayName"] = team.name
    # `members` must be prefetched: a list page renders every team without a query each.
    body["members"] = [
        {
            "value": str(member.pk),
            "$ref": f"{base_url}/Users/{member.pk}",
        }
        for member in team.members.all()
        if member.provider_deleted_at is None
    ]
    body["meta"] = _meta("Group", team, f"{base_url}/Groups/{scim_id}")
    return body


def group_fields(group: ScimGroup) -> dict:
    return {
        "name": (group.display_name or "").strip(),
        "external_id": group.external_id or "",
        "member_ids": [member.value for member in group.members or [] if member.value],
    }
