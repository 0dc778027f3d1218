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
