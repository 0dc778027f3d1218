"""A connection's attribute mapping page: the mapping as admins see and change it, and the panel of
the attribute paths its identity provider actually sends.

The mapping itself is applied by the SCIM layer (integrations.scim.overrides); this module reads
and writes the connection's overrides and explains what becomes of each received path.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actions import register
from audit.services import audit_record, changed_fields
from employees.services import custom_fields_active

from .auth_epoch import auth_epoch_bump
from .models import Connection, ScimRequest
from .scim.overrides import REQUIRED, path_validate, targets
from .scim.schemas import USER_SCHEMA

register("connection.mapping_changed", "Changed a connection's attribute mapping")

# How many of the connection's latest requests with a body the panel reads.
RECENT_REQUESTS = 1000


@dataclass(frozen=True)
class MappingRow:
    field: str
    label: str
    default: str
    path: str  # "" when the field is not provisioned
    changed: bool
    required: bool


def attribute_mapping_rows(*, connection: Connection) -> list[MappingRow]:
    overrides = connection.attribute_mapping or {}
    fields = custom_fields_active(organization_id=connection.organization_id)
    return [
        MappingRow(
            field=target.field,
            label=target.label,
            default=target.default,
            path=overrides.get(target.field, target.default),
            changed=target.field in overrides,
            required=target.field in REQUIRED,
        )
        for target in targets(fields)
    ]


@transaction.atomic
def attribute_mapping_set(*, connection: Connection, paths: dict[str, str], actor=None) -> dict:
    """Store `paths` (portal field -> SCIM attribute as typed, "" for none) as the connection's
    overrides: only what differs from the defaults, each path checked against the published
    schema (ValidationError naming the fields otherwise). Applies to the next SCIM request."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    fields = custom_fields_active(organization_id=connection.organization_id)
    overrides, errors = {}, {}
    for target in targets(fields):
        if target.field not in paths:
            continue
        typed = (paths[target.field] or "").strip()
        if not typed:
            if target.field in REQUIRED:
                errors[target.field] = f"{target.label} is required to sign in: map it to an attribute."
            else:
                overrides[target.field] = ""
            continue
        try:
            canonical = path_validate(typed, fields)
        except ValidationError as exc:
            errors[target.field] = " ".join(exc.messages)
            continue
        if canonical.lower() != target.default.lower():
            overrides[target.field] = canonical
    if errors:
        raise ValidationError(errors)
    if overrides != connection.attribute_mapping:
        before, after = changed_fields(*_shown(connection.attribute_mapping, overrides))
        connection.attribute_mapping = overrides
        connection.save(update_fields=["attribute_mapping"])
        audit_record(
            action="connection.mapping_changed",
            organization=connection.organization,
            actor=actor,
            target=connection,
            before=before,
            after=after,
        )
        # SCIM workers may hold the connection with the token they verified: make them re-read it.
        auth_epoch_bump()
    return overrides


def _shown(before: dict, after: dict) -> tuple[dict, dict]:
    """Both mappings over the same fields, as the audit trail shows them."""
    fields = sorted(before.keys() | after.keys())

    def shown(overrides):
        return {f: overrides[f] or "(not provisioned)" if f in overrides else "(default)" for f in fields}

    return shown(before), shown(after)


@dataclass(frozen=True)
class ReceivedRow:
    path: str
    count: int
    last_seen: datetime
    status: str  # mapped | stored | dropped
    label: str


# Attributes kept for SCIM round trips though no portal field shows them (RFC 7644 §3.5.1).
_STORED = ("username", "active", "externalid", "ims", "photos", "entitlements", "roles", "x509certificates")
_STORED += ("phonenumbers", "addresses")  # entries besides the one in columns: Employee.profile_extras


def _key(path: str) -> str:
    """A path compared with the mapping's: lowercase, the core URN left out, one space apart."""
    path = " ".join(path.split()).lower()
    return path.removeprefix(USER_SCHEMA.lower() + ":")


def _loose(key: str) -> str:
    head, _, tail = key.partition("[")
    return head + (tail.partition("]")[2] if tail else "")


def _status(path: str, mapped: dict[str, str]) -> tuple[str, str]:
    key = _key(path)
    for candidate in (key, key + ".value"):
        if candidate in mapped:
            return "mapped", f"Mapped to {mapped[candidate]}"
        if "[" not in candidate and _loose(candidate) in mapped:
            return "mapped", f"Mapped to {mapped[_loose(candidate)]}"
    if key.split(".")[0].split("[")[0] in _STORED:
        return "stored", "Stored"
    if key == "password":
        return "dropped", "Accepted, never stored"
    return "dropped", "Not mapped"


def received_attributes(*, connection: Connection, limit: int = RECENT_REQUESTS) -> list[ReceivedRow]:
    """Each attribute path in the connection's recent requests: how often, when last, and what
    becomes of it under the current mapping. Never values: requests keep paths only."""
    # User requests only: a Group's displayName or members are a team's, not profile fields.
    recent = (
        ScimRequest.objects.filter(connection=connection, path__contains="/Users")
        .exclude(attributes=[])
        .order_by("-created_at")
        .values_list("attributes", "created_at")[:limit]
    )
    counts: Counter[str] = Counter()
    last: dict[str, datetime] = {}
    for paths, created_at in recent:
        for path in paths if isinstance(paths, list) else ():
            counts[path] += 1
            last[path] = max(last.get(path, created_at), created_at)
    mapped = {}
    for row in attribute_mapping_rows(connection=connection):
        if row.path:
            mapped.setdefault(_key(row.path), row.label)
            mapped.setdefault(_loose(_key(row.path)), row.label)
    rows = [ReceivedRow(path, counts[path], last[path], *_status(path, mapped)) for path in counts]
    return sorted(rows, key=lambda row: (row.status != "dropped", row.path.lower()))
