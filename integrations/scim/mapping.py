"""Between SCIM resources and the portal's fields: the nine default attributes both ways (SPEC §2.5).

Rendering builds plain dicts (the hot path of every list page); parsing goes through the typed
scim2-models resources, so every value a client sends is validated first.
"""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError

from employees.validators import validate_international_email

from .backend.filters import group_id
from .schemas import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, EnterpriseUser, ScimGroup, ScimUser

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


def user_active(employee) -> bool:
    """`active` as the provider set it: a deactivation held for an admin's decision
    (integrations.brake, annotated by the backend) reads false while the person stays active."""
    return employee.status == "active" and not getattr(employee, "deactivation_held", False)


def user_render(employee, *, base_url: str) -> dict:
    """The stored user, every stored attribute included, so a GET → PUT round trip keeps it."""
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": str(employee.pk)}
    if employee.external_id:
        body["externalId"] = employee.external_id
    body["userName"] = employee.username
    name = {}
    if employee.first_name:
        name["givenName"] = employee.first_name
    if employee.last_name:
        name["familyName"] = employee.last_name
    if name:
        body["name"] = name
    if employee.display_name:
        body["displayName"] = employee.display_name
    if employee.job_title:
        body["title"] = employee.job_title
    body["active"] = user_active(employee)
    if not employee.email.endswith("@" + NO_EMAIL_DOMAIN):
        body["emails"] = [{"value": employee.email, "type": "work"}]
    if employee.location_city:
        body["addresses"] = [{"locality": employee.location_city, "type": "work"}]
    enterprise = {}
    if employee.employee_number:
        enterprise["employeeNumber"] = employee.employee_number
    if employee.business_unit:
        enterprise["division"] = employee.business_unit
    if employee.department:
        enterprise["department"] = employee.department
    if employee.manager_email:
        enterprise["manager"] = {"value": employee.manager_email}
    if enterprise:
        body["schemas"].append(ENTERPRISE_SCHEMA)
        body[ENTERPRISE_SCHEMA] = enterprise
    body["meta"] = _meta("User", employee, f"{base_url}/Users/{employee.pk}")
    return body


def _pick(entries, *, attr: str):
    """The "work" entry, else the first. (The primary one was put alone by normalise_user_body.)"""
    entries = [entry for entry in entries or [] if getattr(entry, attr, None)]
    for entry in entries:
        if entry.type and str(entry.type) == "work":
            return entry
    return entries[0] if entries else None


def user_fields(user: ScimUser) -> dict:
    """The portal fields a (validated) SCIM user sets. Absent attributes clear their field:
    PUT replaces the resource (RFC 7644 §3.5.1) and PATCH results are complete resources."""
    email = _pick(user.emails, attr="value")
    address = _pick(user.addresses, attr="locality")
    enterprise = user[EnterpriseUser] or EnterpriseUser()
    manager = enterprise.manager.value if enterprise.manager and enterprise.manager.value else ""
    user_name = (user.user_name or "").strip()
    return {
        "username": user_name,
        # Okta's userName is the email; a client that sends no email still gets one that way.
        "email": str(email.value) if email else _email_for(user_name),
        "first_name": (user.name.given_name if user.name else None) or "",
        "last_name": (user.name.family_name if user.name else None) or "",
        "display_name": user.display_name or "",
        "job_title": user.title or "",
        "department": enterprise.department or "",
        "business_unit": enterprise.division or "",
        "location_city": (address.locality if address else None) or "",
        "employee_number": enterprise.employee_number or "",
        "external_id": user.external_id or "",
        "manager_email": manager,
    }


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
