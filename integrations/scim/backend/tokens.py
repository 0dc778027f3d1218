"""Who is calling: a connection's token checked (from memory when it may be), and the activity record."""

import time

from django.conf import settings

from integrations.activity_log import activity_log
from integrations.models import Connection, token_digest
from integrations.services import token_authenticate

from .common import Scope

# Tokens verified in the database, by their HMAC digest (never the plaintext): digest → (auth
# epoch, when verified, scope). An entry counts only while the epoch read on this request is the
# one it was verified under (integrations.auth_epoch) and for at most SCIM_TOKEN_CACHE_SECONDS,
# which bounds a revocation whose bump Redis never received. Shared by the worker's threads:
# dict reads and writes are atomic, and the scope's objects are only read by SCIM code.
_VERIFIED: dict[str, tuple[str, float, Scope]] = {}
_VERIFIED_MAX = 1000


def scope_for_token(*, public_id: str, plaintext: str, epoch: str | None = None) -> Scope | None:
    """The token's scope, or None. From memory when `epoch` (read this request) vouches for it,
    else one query; without an epoch (no Redis, or it did not answer) always the query."""
    key = token_digest(plaintext) if epoch is not None else ""
    if key:
        cached = _VERIFIED.get(key)
        if (
            cached is not None
            and cached[0] == epoch
            and time.monotonic() - cached[1] < settings.SCIM_TOKEN_CACHE_SECONDS
            and cached[2].connection.public_id == public_id
            and not cached[2].token.is_expired()
        ):
            return cached[2]
    token = token_authenticate(public_id=public_id, plaintext=plaintext)
    if token is None:
        return None
    scope = Scope(token=token, connection=token.connection, organization=token.connection.organization)
    if key:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = (epoch, time.monotonic(), scope)
    return scope


def connection_id_for(*, public_id: str) -> int | None:
    """The connection a URL names (deleted ones too), to record refused requests against it."""
    return Connection.objects.filter(public_id=public_id).values_list("pk", flat=True).first()


def activity_record(**fields) -> None:
    """Queued for the batch writer (integrations.activity_log): no statement in the request."""
    activity_log.record(fields)
