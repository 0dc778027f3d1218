"""A connection's changes to the default attribute mapping: which SCIM attribute feeds a portal field.

The defaults are mapping.user_fields (SPEC §2.5's nine and the rest of the core schema) and the
product's extension (custom.py). An admin may point a field at another published attribute, or at
nothing: the field is then left alone by provisioning. Overrides are applied after the default
extraction, on the validated resource, so every value still reaches the one write path. userName,
active and externalId identify and (de)activate the person and are not targets.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from employees.custom_fields import custom_value_clean

from .custom import CUSTOM_SCHEMA, custom_key
from .errors import ScimError
from .schemas import ENTERPRISE_SCHEMA, USER_SCHEMA, schema_attributes

CUSTOM_TARGET = "custom:"
_ENT = ENTERPRISE_SCHEMA + ":"

# (portal field, label, default SCIM attribute): SPEC §2.5's nine first, then the core schema.
TARGETS = (
    ("first_name", "First name", "name.givenName"),
    ("last_name", "Last name", "name.familyName"),
    ("email", "Email", 'emails[type eq "work"].value'),
    ("job_title", "Job title", "title"),
    ("department", "Department", _ENT + "department"),
    ("business_unit", "Business unit", _ENT + "division"),
    ("manager_email", "Manager (email)", _ENT + "manager.value"),
    ("location_city", "Location", 'addresses[type eq "work"].locality'),
    ("employee_number", "Employee ID", _ENT + "employeeNumber"),
    ("name_formatted", "Full name", "name.formatted"),
    ("middle_name", "Middle name", "name.middleName"),
    ("honorific_prefix", "Honorific prefix", "name.honorificPrefix"),
    ("honorific_suffix", "Honorific suffix", "name.honorificSuffix"),
    ("display_name", "Display name", "displayName"),
    ("nick_name", "Nickname", "nickName"),
    ("profile_url", "Profile URL", "profileUrl"),
    ("user_type", "User type", "userType"),
    ("preferred_language", "Preferred language", "preferredLanguage"),
    ("locale", "Locale", "locale"),
    ("timezone", "Time zone", "timezone"),
    ("phone_number", "Phone", 'phoneNumbers[type eq "work"].value'),
    ("address_formatted", "Address", 'addresses[type eq "work"].formatted'),
    ("street_address", "Street", 'addresses[type eq "work"].streetAddress'),
    ("region", "Region", 'addresses[type eq "work"].region'),
    ("postal_code", "Postal code", 'addresses[type eq "work"].postalCode'),
    ("country", "Country", 'addresses[type eq "work"].country'),
    ("cost_center", "Cost center", _ENT + "costCenter"),
    ("company", "Company", _ENT + "organization"),
)
# The sign-in key must come from somewhere: it can be re-pointed, not left out.
REQUIRED = frozenset({"email"})

_PATH = re.compile(
    r'^(?P<attr>[A-Za-z][\w$-]*)(?:\[\s*type\s+eq\s+"(?P<type>[^"\]]*)"\s*\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$'
)
# externalId is common to every resource (RFC 7643 §3.1), not listed in the User schema.
_COMMON = [{"name": "externalId", "multiValued": False}]
# Attributes no portal field may take its value from: the password is never stored anywhere.
_NEVER = frozenset({"password", "groups"})


@dataclass(frozen=True)
class Target:
    field: str
    label: str
    default: str


def targets(custom_fields: dict) -> list[Target]:
    rows = [Target(field, label, default) for field, label, default in TARGETS]
    for key, field in custom_fields.items():
        rows.append(Target(f"{CUSTOM_TARGET}{key}", field.label, f"{CUSTOM_SCHEMA}:{key}"))
    return rows


def _split_urn(path: str) -> tuple[str, str]:
    lowered = path.lower()
    for urn in (USER_SCHEMA, ENTERPRISE_SCHEMA):
        if lowered.startswith(urn.lower() + ":"):
            return urn, path[len(urn) + 1 :]
    return USER_SCHEMA, path


def path_validate(path: str, custom_fields: dict) -> str:
    """The path in its canonical spelling if the published schema has it; ValidationError if not."""
    path = " ".join((path or "").split())
    key = custom_key(path)
    if key is not None:
        for name in custom_fields:
            if name.lower() == key.lower():
                return f"{CUSTOM_SCHEMA}:{name}"
        raise ValidationError(f"{path}: no active custom field has the key {key!r}.")
    urn, rest = _split_urn(path)
    match = _PATH.match(rest)
    if not match:
        raise ValidationError(
            f'{path}: write an attribute such as title, name.givenName or addresses[type eq "work"].locality.'
        )
    published = schema_attributes(urn) + (_COMMON if urn == USER_SCHEMA else [])
    attributes = {a["name"].lower(): a for a in published}
    attribute = attributes.get(match["attr"].lower())
    if attribute is None or attribute["name"] in _NEVER:
        raise ValidationError(f"{path}: the schema {urn} has no attribute {match['attr']} to map.")
    subs = {s["name"].lower(): s["name"] for s in attribute.get("subAttributes", ())}
    if match["type"] is not None and not (attribute["multiValued"] and "type" in subs):
        raise ValidationError(f"{path}: only multi-valued attributes with a type can be filtered.")
    sub = match["sub"]
    if sub is not None and sub.lower() not in subs:
        raise ValidationError(f"{path}: {attribute['name']} has no sub-attribute {sub}.")
    if sub is None and subs and "value" not in subs:
        raise ValidationError(
            f"{path}: name one of {attribute['name']}'s sub-attributes, such as {next(iter(subs.values()))}."
        )
    canonical = attribute["name"]
    if match["type"] is not None:
        canonical += f'[type eq "{match["type"]}"]'
    if sub is not None:
        canonical += f".{subs[sub.lower()]}"
    return canonical if urn == USER_SCHEMA else f"{urn}:{canonical}"


def _get(container, name: str):
    if not isinstance(container, dict):
        return None
    for key, value in container.items():
        if key.lower() == name.lower():
            return value
    return None


def path_resolve(path: str, document: dict, section: dict):
    """The value at `path` (validated) in a resource dumped as a dict and its extension section."""
    key = custom_key(path)
    if key is not None:
        return _get(section, key)
    urn, rest = _split_urn(path)
    match = _PATH.match(rest)
    value = _get(document if urn == USER_SCHEMA else _get(document, urn), match["attr"])
    if isinstance(value, list):
        entries = [e for e in value if isinstance(e, dict)]
        if match["type"] is not None:
            entries = [e for e in entries if str(_get(e, "type") or "").lower() == match["type"].lower()]
        else:
            entries = [e for e in entries if _get(e, "primary") is True] + entries
        value = entries[0] if entries else None
    if isinstance(value, dict):
        value = _get(value, match["sub"] or "value")
    return value


def _text(value) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def overrides_apply(
    fields: dict, values: dict, *, overrides: dict, document: dict, section: dict, custom_fields: dict
) -> tuple[dict, dict]:
    """The portal fields and custom values after the connection's overrides, as new dicts."""
    fields, values = dict(fields), dict(values)
    for target, path in overrides.items():
        if target.startswith(CUSTOM_TARGET):
            field = custom_fields.get(target[len(CUSTOM_TARGET) :])
            if field is None:  # archived since: its values stay as they are
                continue
            if not path:
                values.pop(field.key, None)
                continue
            try:
                values[field.key] = custom_value_clean(field, path_resolve(path, document, section))
            except ValidationError as exc:
                raise ScimError(
                    400, f"{path} (mapped to {field.label}): {' '.join(exc.messages)}", "invalidValue"
                ) from exc
        elif target in fields:
            if not path:
                if target not in REQUIRED:
                    fields.pop(target)
                continue
            value = _text(path_resolve(path, document, section)).strip()
            if value or target not in REQUIRED:
                fields[target] = value
    return fields, values
