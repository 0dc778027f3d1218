"""PATCH (RFC 7644 §3.5.2) as pure functions: a SCIM resource in, the patched resource out.

scim2-models applies the operations (atomically: on any error the resource is left untouched)
under POLICY, which accepts Entra ID's dialect: capitalised ops, path-less values whose keys are
attribute paths, filters that create the entry they describe, string booleans.
"""

from pydantic import ValidationError
from scim2_models import Context, PatchOp, SCIMException

from .errors import ScimError
from .parsing import validation_error
from .schemas import POLICY

PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def patch_active_only(payload: dict) -> bool | None:
    """The new `active` when the body does nothing but set it, as Okta's catalog apps deactivate and
    reactivate: one `replace` of `{"active": <bool>}`, or of path `active` with a boolean.

    None for any other body, which patch_apply reads. Such a body leaves the profile as it is, so
    the change is the status alone, with no copy of the resource to patch; the write is the same.
    """
    if set(payload) != {"schemas", "Operations"} or payload["schemas"] != [PATCH_OP_SCHEMA]:
        return None
    operations = payload["Operations"]
    if not isinstance(operations, list) or len(operations) != 1 or not isinstance(operations[0], dict):
        return None
    operation = operations[0]
    if not isinstance(operation.get("op"), str) or operation["op"].lower() != "replace":
        return None
    value = operation.get("value")
    if set(operation) == {"op", "value"} and isinstance(value, dict) and set(value) == {"active"}:
        value = value["active"]
    elif set(operation) != {"op", "path", "value"} or operation["path"] != "active":
        return None
    return value if isinstance(value, bool) else None


def members_removed_by_value(payload: dict, is_id) -> dict:
    """Entra ID removes group members with `"path": "members"` and the members as the value, each
    `{"value": id, "$ref": null}`; RFC 7644 §3.5.2.2 names what to remove with a filter. Each such
    member becomes a `members[value eq "id"]` removal, so members match by `value` alone (a `$ref`
    sent or not) and one that is not in the group is no change. A value that is no user id of
    this service (`is_id` false) is a 400, never a success that removed nothing."""
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    rewritten = []
    for operation in operations:
        if not _removes_members_by_value(operation):
            rewritten.append(operation)
            continue
        for member in operation["value"]:
            value = member.get("value") if isinstance(member, dict) else None
            if not isinstance(value, str) or not is_id(value):
                raise ScimError(400, f"{value!r} is not a member id of this service.", "invalidValue")
            rewritten.append({"op": "remove", "path": f'members[value eq "{value}"]'})
    return {**payload, "Operations": rewritten}


def _removes_members_by_value(operation) -> bool:
    return (
        isinstance(operation, dict)
        and str(operation.get("op", "")).lower() == "remove"
        and str(operation.get("path", "")).lower() == "members"
        and isinstance(operation.get("value"), list)
    )


def patch_apply(resource, payload: dict):
    """Apply a PatchOp body to a copy of `resource`; returns the patched copy."""
    model = type(resource)
    try:
        operations = PatchOp[model].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        patched = resource.model_copy(deep=True)
        operations.patch(patched, scim_policy=POLICY)
    except SCIMException as exc:
        raise ScimError(exc.status, exc.detail, exc.scim_type) from exc
    except ValidationError as exc:
        raise validation_error(exc) from exc
    return patched
