"""The API key scheme as the OpenAPI document describes it (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API key (`engapi_...`) from Your profile > API keys.",
        }


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error the API answers has this shape.",
    "properties": {
        "status": {"type": "integer", "example": 404},
        "code": {"type": "string", "example": "not_found"},
        "detail": {"type": "string", "example": "Not found."},
        "fields": {
            "type": "object",
            "description": "Validation errors (400) by field; `non_field_errors` for the rest.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["status", "code", "detail"],
}
ERRORS = {
    "400": "Invalid input (see `fields`).",
    "401": "No key, or a key that is invalid, revoked, expired or whose owner is deactivated.",
    "403": "The key's owner may not do this (not an admin or integration admin).",
    "404": "No such object in the key's organization.",
    "429": "Too many requests for this key; see the Retry-After header.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the error shape on every operation of the API."""
    if not result.get("paths"):
        return result
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                # A GET without path parameters finds nothing to 404; 400 needs input to refuse.
                if status == "404" and "{" not in path:
                    continue
                if status == "400" and method == "delete":
                    continue
                responses.setdefault(status, {"description": description, "content": reference})
    return result
