"""Request bodies into typed SCIM resources (scim2-models), with SCIM errors for bad input."""

import orjson
from pydantic import ValidationError
from scim2_models import Context, Error, SCIMException

from .errors import ScimError
from .schemas import POLICY


def json_body(raw: bytes) -> dict:
    try:
        body = orjson.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:  # orjson.JSONDecodeError is a ValueError
        raise ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from exc
    if not isinstance(body, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    refuse_nul(body)
    return body


NUL = "\x00"


def refuse_nul(value) -> None:
    """400 for a NUL character (U+0000) in any string or key: valid JSON, but no text column (or
    PostgreSQL itself) can hold it, so it is refused before anything reads the value."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                raise ScimError(400, "Text may not contain the NUL character (U+0000).", "invalidValue")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def validation_error(exc: ValidationError) -> ScimError:
    errors = exc.errors()
    if errors:
        error = Error.from_validation_error(errors[0])
        return ScimError(int(error.status or 400), error.detail or "Invalid value.", error.scim_type or "")
    return ScimError(400, "The request body is not a valid SCIM resource.", "invalidValue")


def resource_parse(model, body: dict, context: Context):
    try:
        return model.model_validate(body, scim_ctx=context, scim_policy=POLICY)
    except SCIMException as exc:
        raise ScimError(exc.status, exc.detail, exc.scim_type) from exc
    except ValidationError as exc:
        raise validation_error(exc) from exc


def resource_load(model, body: dict):
    """A stored resource (our own rendering) as a typed object, e.g. to apply a PATCH to."""
    return model.model_validate(body, scim_ctx=Context.RESOURCE_QUERY_RESPONSE, scim_policy=POLICY)


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def normalise_user_body(body: dict) -> dict:
    """Bring a User body to one shape before validation.

    OneLogin templates may send `emails` / `addresses` / `phoneNumbers` as one object instead of
    an array (RFC 7643 §2.4 wants an array). The portal keeps one email: when one is marked
    primary, it is the one kept (SPEC §2.5: "the primary one, else type work"). Phone numbers and
    addresses keep every entry, the primary one moved first: the profile shows the work entry,
    else that one (mapping.user_fields).
    """
    body = dict(body)
    for key in list(body):
        kind = key.lower()
        if kind not in ("emails", "addresses", "phonenumbers"):
            continue
        entries = body[key]
        if isinstance(entries, dict):
            entries = [entries]
        if isinstance(entries, list):
            primary = [e for e in entries if isinstance(e, dict) and _is_true(e.get("primary"))][:1]
            if kind == "emails":
                entries = primary or entries
            else:
                entries = primary + [e for e in entries if not any(e is p for p in primary)]
        body[key] = entries
    return body
