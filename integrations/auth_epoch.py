"""The SCIM auth epoch: a value in Redis that changes whenever a token may have stopped working.

SCIM workers keep the tokens they verified in memory (integrations.scim.backend) and trust an
entry only while the epoch they read on the same request equals the one it was verified under.
Revoking a token, deleting a connection and changing an organization's Okta flag all bump it,
so the very next request of any worker goes back to the database.

The value is random, not a counter: after Redis loses it (a restart without persistence) a
counter would start again at 1 and could match entries verified under an earlier 1.
Without REDIS_URL there is no shared epoch, and every request checks its token in the database.
"""

import logging
import secrets

from django.conf import settings
from django.db import transaction

from engagedly_portal.optional_redis import redis_call, redis_client

logger = logging.getLogger(__name__)

EPOCH_KEY = "scim-auth-epoch"


def epoch_value(raw: bytes | None) -> str | None:
    """The epoch as read from Redis; when there is none yet (or Redis lost it), start one.

    None then (no entry may be trusted or cached on this request): an entry cached under "no
    epoch" could otherwise become valid again when Redis loses a later bump.
    """
    if raw is not None:
        return raw.decode()
    redis_call(lambda: redis_client().set(EPOCH_KEY, secrets.token_hex(8), nx=True), None, "start an epoch")
    return None


def _set_new_epoch() -> None:
    # When Redis does not answer, cached tokens expire on their own (SCIM_TOKEN_CACHE_SECONDS).
    if not redis_call(lambda: redis_client().set(EPOCH_KEY, secrets.token_hex(8)), False, "bump the epoch"):
        logger.error("Could not bump the SCIM auth epoch; cached tokens expire within a minute.")


def auth_epoch_bump() -> None:
    """Make every worker re-check its cached tokens in the database on their next use.

    Bumped now and again once the transaction commits: a request that read the first new value
    and then the database before the commit saw the token still valid and cached it under that
    value, which the second bump invalidates. The first bump makes the change visible at once
    to later requests of this transaction's own connection (tests, the admin's next page).
    """
    if not settings.REDIS_URL:
        return
    _set_new_epoch()
    transaction.on_commit(_set_new_epoch)
