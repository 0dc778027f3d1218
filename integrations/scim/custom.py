"""The product's SCIM extension: an organization's active custom profile fields as attributes.

scim2-models validates the core and enterprise schemas, whose shape is fixed; this extension's
attributes differ per organization, so its section is split out of a body before that validation
and its values are checked by the domain's own rules (employees.custom_fields.custom_value_clean),
the same rules the portal's form uses. Pure functions: the fields come in as a dict key -> field.
"""

from django.core.exceptions import ValidationError

from employees.custom_fields import custom_value_clean

from .errors import ScimError

CUSTOM_SCHEMA = "urn:ietf:params:scim:schemas:extension:engagedly:2.0:User"
_PREFIX = CUSTOM_SCHEMA.lower() + ":"

_TYPES = {"text": "string", "number": "decimal", "boolean": "boolean", "date": "string", "choice": "string"}


def is_custom(name) -> bool:
    return isinstance(name, str) and name.lower() == CUSTOM_SCHEMA.lower()


def custom_key(path) -> str | None:
    """`key` of an attribute path `URN:key` (URNs compare case-insensitively), else None."""
    if isinstance(path, str) and path.lower().startswith(_PREFIX):
        return path[len(_PREFIX) :].strip() or None
    return None


def custom_split(body: dict) -> tuple[dict, dict | None]:
    """The body without the extension, and the extension's values as sent (None: not sent).

    Both forms are read: the nested `{URN: {key: value}}` that Okta sends with the URN listed in
    `schemas` (RFC 7643 §3.3), and flat `"URN:key": value` members. The URN leaves `schemas` too:
    the typed models know only the schemas they publish for everyone.
    """
    rest, section, sent = {}, {}, False
    for name, value in body.items():
        if is_custom(name):
            sent = True
            if isinstance(value, dict):
                section.update(value)
            elif value is not None:
                raise ScimError(400, f"{CUSTOM_SCHEMA} must be an object.", "invalidValue")
        elif (key := custom_key(name)) is not None:
            sent = True
            section[key] = value
        else:
            rest[name] = value
    if isinstance(rest.get("schemas"), list):
        rest["schemas"] = [urn for urn in rest["schemas"] if not is_custom(urn)]
    return rest, (section if sent else None)


def _by_key(fields: dict) -> dict:
    # Attribute names are case-insensitive (RFC 7643 §2.1); the field keys are unique that way.
    return {key.lower(): field for key, field in fields.items()}


def custom_values(section: dict | None, fields: dict, *, replace: bool) -> dict:
    """Key -> value (None clears) for the active `fields` the section names, checked by the domain's
    rules: a value of the wrong type is a 400 invalidValue naming the attribute, before any write.

    Unknown keys are ignored like any unknown attribute. With `replace` (a PUT, a PATCH result)
    every active field the section lacks is cleared; archived fields are never named, so their
    stored values stay.
    """
    known = _by_key(fields)
    values = {key: None for key in fields} if replace else {}
    for name, raw in (section or {}).items():
        field = known.get(str(name).lower())
        if field is None:
            continue
        try:
            values[field.key] = custom_value_clean(field, raw)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            raise ScimError(400, f"{CUSTOM_SCHEMA}:{field.key}: {message}", "invalidValue") from exc
    return values


def custom_section(stored: dict, fields: dict) -> dict:
    """The stored values of active fields, as the extension renders them."""
    return {key: stored[key] for key in fields if stored.get(key) is not None}


def with_custom(document: dict, section: dict) -> dict:
    if section:
        document["schemas"] = [*document["schemas"], CUSTOM_SCHEMA]
        document[CUSTOM_SCHEMA] = section
    return document


def custom_patch(payload: dict, section: dict) -> tuple[dict, dict, bool]:
    """Apply the operations of a PatchOp that target the extension to `section` (a copy).

    Returns the payload with those operations left out (for patch_apply), the new section and
    whether any operation targeted it. Forms read: path `URN:key` (Entra ID's form for extension
    attributes), the bare `URN` with an object value, and path-less values carrying the `URN`
    object or `URN:key` members (RFC 7644 §3.5.2). A complex value merges into the section
    (RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged).
    """
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload, section, False
    section, rest, touched = dict(section), [], False
    for operation in operations:
        if not isinstance(operation, dict):
            rest.append(operation)
            continue
        op = str(operation.get("op", "")).lower()
        path, value = operation.get("path"), operation.get("value")
        key = custom_key(path)
        if key is not None:
            touched = True
            if op == "remove":
                section.pop(key, None)
            else:
                section[key] = value
        elif is_custom(path):
            touched = True
            if op == "remove":
                section.clear()
            elif isinstance(value, dict):
                section.update(value)
            else:
                raise ScimError(400, f"The value for {CUSTOM_SCHEMA} must be an object.", "invalidValue")
        elif not path and isinstance(value, dict) and op in ("add", "replace"):
            remaining, sent = custom_split(value)
            if sent is None:
                rest.append(operation)
                continue
            touched = True
            section.update(sent)
            if set(remaining) - {"schemas"}:
                rest.append({**operation, "value": remaining})
        else:
            rest.append(operation)
    return {**payload, "Operations": rest}, section, touched


def custom_schema_document(fields: dict, *, base_url: str) -> dict:
    """The extension's schema (RFC 7643 §7): one attribute per active custom field."""
    attributes = []
    for field in fields.values():
        attribute = {
            "name": field.key,
            "type": _TYPES[field.field_type],
            "multiValued": False,
            "description": field.label + (" (a date, YYYY-MM-DD)" if field.field_type == "date" else ""),
            "required": False,
            "caseExact": False,
            "mutability": "readWrite",
            "returned": "default",
            "uniqueness": "none",
        }
        if field.field_type == "choice":
            attribute["canonicalValues"] = list(field.choices)
        attributes.append(attribute)
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": CUSTOM_SCHEMA,
        "name": "EngagedlyUser",
        "description": "The organization's custom profile fields",
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{CUSTOM_SCHEMA}"},
    }
