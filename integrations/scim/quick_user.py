"""A User body in the plain shape most clients send, read to the portal's fields without the typed model.

scim2-models validates a create or replacement body through a tree of model validators (attribute
names folded, context rules, the extension's schemas): about 150 µs of CPU, a sixth of a SCIM
create. Okta's creates and replacements, and most others, have one plain shape: canonical
attribute names, strings where strings belong, `active` a boolean, `type` "work". For exactly
that shape, user_fields_quick gives what parsing with the model and mapping.user_fields give;
for anything else (another spelling, another type, an unknown schema, a missing userName) it
returns None and the typed model decides, with its errors. A test runs both on every stored
payload and on variations of them.

What both ignore: attributes the portal does not store (`locale`, an email's `primary`, a name's
`formatted`), and the read-only `id`, `meta` and `groups` of a replacement (RFC 7644 §3.5.1: a
client's values for them SHALL be ignored), which are not read at all here.
"""

from .mapping import fields_of
from .schemas import ENTERPRISE_SCHEMA, USER_SCHEMA

# Every attribute the typed User knows, by its folded name (RFC 7643 §2.1: names are
# case-insensitive). A key that folds to one of these but is spelt otherwise goes to the model.
_ATTRIBUTES = (
    "schemas",
    "id",
    "externalId",
    "meta",
    "userName",
    "name",
    "displayName",
    "title",
    "active",
    "password",
    "emails",
    "addresses",
    "groups",
    ENTERPRISE_SCHEMA,
)
_FOLDED = {name.lower(): name for name in _ATTRIBUTES}
_SCHEMAS = frozenset((USER_SCHEMA, ENTERPRISE_SCHEMA))


class _NotPlain(Exception):
    """The body is not in the plain shape: the typed model reads it."""


def user_fields_quick(body: dict) -> tuple[dict, bool] | None:
    """(mapping.user_fields, active) of a plain body, as the typed model would give them; else None."""
    try:
        return _read(body)
    except _NotPlain:
        return None


def _read(body: dict) -> tuple[dict, bool]:
    _canonical(body, _FOLDED)
    schemas = body.get("schemas")
    if type(schemas) is not list or any(type(schema) is not str for schema in schemas):
        raise _NotPlain
    if USER_SCHEMA not in schemas or not _SCHEMAS.issuperset(schemas):
        raise _NotPlain
    active, user_name = body.get("active"), body.get("userName")
    if type(active) is not bool or type(user_name) is not str or not user_name.strip():
        raise _NotPlain
    for key in ("displayName", "title", "externalId", "password", "id"):
        _string(body.get(key))
    _kind(body.get("meta"), dict)
    _kind(body.get("groups"), list)
    name = _complex(body.get("name"), ("givenName", "familyName"))
    email = _pick(body.get("emails"), "value")
    address = _pick(body.get("addresses"), "locality")
    enterprise = body.get(ENTERPRISE_SCHEMA)
    if enterprise is not None and ENTERPRISE_SCHEMA not in schemas:
        raise _NotPlain
    enterprise = _complex(enterprise, ("employeeNumber", "division", "department", "manager"), strings=False)
    for key in ("employeeNumber", "division", "department"):
        _string(enterprise.get(key))
    return (
        fields_of(
            user_name=user_name,
            email=email.get("value"),
            given_name=name.get("givenName"),
            family_name=name.get("familyName"),
            display_name=body.get("displayName"),
            title=body.get("title"),
            department=enterprise.get("department"),
            division=enterprise.get("division"),
            locality=address.get("locality"),
            employee_number=enterprise.get("employeeNumber"),
            external_id=body.get("externalId"),
            manager=_manager(enterprise.get("manager")),
        ),
        active,
    )


def _canonical(obj: dict, folded: dict) -> None:
    for key in obj:
        if type(key) is not str:
            raise _NotPlain
        name = folded.get(key.lower())
        if name is not None and name != key:
            raise _NotPlain


def _string(value) -> None:
    if value is not None and type(value) is not str:
        raise _NotPlain


def _kind(value, kind: type) -> None:
    if value is not None and type(value) is not kind:
        raise _NotPlain


def _complex(value, keys: tuple, *, strings: bool = True) -> dict:
    """A complex attribute's dict ({} when absent); its known keys canonical, strings if `strings`."""
    if value is None:
        return {}
    if type(value) is not dict:
        raise _NotPlain
    _canonical(value, {key.lower(): key for key in keys})
    if strings:
        for key in keys:
            _string(value.get(key))
    return value


def _pick(entries, attr: str) -> dict:
    """As mapping._pick: the "work" entry with a value, else the first with one ({} when none)."""
    if entries is None:
        return {}
    if type(entries) is not list:
        raise _NotPlain
    with_value = []
    for entry in entries:
        entry = _complex(entry, (attr, "type"))
        if entry.get("type") not in (None, "work"):
            raise _NotPlain  # another type: the model's enum reads it
        if entry.get(attr):
            with_value.append(entry)
    for entry in with_value:
        if entry.get("type") == "work":
            return entry
    return with_value[0] if with_value else {}


def _manager(value) -> str:
    # Entra ID sends the manager as a bare string (RFC 7643 §4.3 wants an object); see
    # schemas.EnterpriseUser._manager_as_string.
    if value is None:
        return ""
    if type(value) is str:
        return value if value.strip() else ""
    manager = _complex(value, ("value", "$ref", "displayName"))
    if set(manager) & {"$ref", "displayName"}:
        raise _NotPlain  # read-only parts of the reference: the model decides what they mean
    return manager.get("value") or ""
