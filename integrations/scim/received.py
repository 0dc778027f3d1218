"""The attribute paths a request carried (never values), for the connection's "what the IdP sends" panel.

Paths are written as an admin would map them: `name.givenName`, `emails[type eq "work"].value`,
`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, and PATCH paths as sent.
"""

from collections.abc import Iterator

MAX_PATHS = 100
MAX_LENGTH = 200
SKIPPED = frozenset({"schemas", "meta", "id"})
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def received_paths(body) -> list[str]:
    """The distinct attribute paths of a SCIM resource or PATCH body, sorted, at most MAX_PATHS."""
    if not isinstance(body, dict):
        return []
    schemas = body.get("schemas")
    if "Operations" in body or (isinstance(schemas, list) and PATCH_SCHEMA in schemas):
        paths = _patch_paths(body.get("Operations"))
    else:
        paths = _resource_paths(body, prefix="")
    unique = sorted({path[:MAX_LENGTH] for path in paths if path})
    return unique[:MAX_PATHS]


def _patch_paths(operations) -> Iterator[str]:
    for operation in operations if isinstance(operations, list) else ():
        if not isinstance(operation, dict):
            continue
        path = operation.get("path")
        value = operation.get("value")
        if isinstance(path, str) and path.strip():
            path = " ".join(path.split())
            if isinstance(value, dict) and "[" not in path:
                yield from _resource_paths(value, prefix=path)
            else:
                yield path
        elif isinstance(value, dict):
            yield from _resource_paths(value, prefix="")


def _is_schema_urn(path: str) -> bool:
    # "urn:...:2.0:User" names a schema; "urn:...:2.0:User:department" an attribute of it.
    return path.startswith("urn:") and path.rsplit(":", 1)[-1][:1].isupper()


def _joined(prefix: str, key: str) -> str:
    """An attribute under a schema URN follows a colon (RFC 7644 §3.10), a sub-attribute a dot."""
    if not prefix:
        return key
    return f"{prefix}:{key}" if _is_schema_urn(prefix) else f"{prefix}.{key}"


def _resource_paths(body: dict, *, prefix: str) -> Iterator[str]:
    for key, value in body.items():
        if not isinstance(key, str) or (not prefix and key in SKIPPED):
            continue
        if key.startswith("urn:") and not prefix and isinstance(value, dict):
            yield from _resource_paths(value, prefix=key)
            continue
        path = _joined(prefix, key)
        if isinstance(value, dict):
            yield from _resource_paths(value, prefix=path) if value else iter((path,))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for item in value:
                kind = item.get("type")
                base = f'{path}[type eq "{kind}"]' if isinstance(kind, str) and kind else path
                for sub in item:
                    if sub != "type":
                        yield f"{base}.{sub}"
        else:
            yield path
