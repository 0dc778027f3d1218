"""Who is calling, and how often: the connection's token and its per-minute rate limit."""

import functools
import time

from django.conf import settings
from django.core.cache import cache

from engagedly_portal.optional_redis import redis_call, redis_client
from integrations.auth_epoch import EPOCH_KEY, epoch_value

from .errors import ScimError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="SCIM"'}


def token_from_header(value: str) -> str | None:
    """`Bearer <token>` (RFC 6750), or the bare token that Okta's "HTTP Header" mode sends."""
    value = (value or "").strip()
    if not value:
        return None
    scheme, _, rest = value.partition(" ")
    if rest:
        return rest.strip() if scheme.lower() == "bearer" else None
    return value


def unauthorized(detail: str = "A valid bearer token for this base URL is required.") -> ScimError:
    return ScimError(401, detail, headers=CHALLENGE)


# One command: count the request (the window's counter expires after it), read the epoch.
COUNT_SCRIPT = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {used, redis.call('GET', KEYS[2])}
"""


@functools.cache
def _count_script():
    # redis-py sends the script's digest (EVALSHA), and the script itself when Redis lost it.
    return redis_client().register_script(COUNT_SCRIPT)


def _count_request(key: str) -> tuple[int, str | None] | None:
    """Add this request to the window's counter and read the auth epoch, in one command.

    Without Redis there is no shared epoch (None): the token is then checked in the database.
    None when Redis does not answer: the request is served without a limit.
    """
    if not settings.REDIS_URL:

        def count_in_cache():
            cache.add(key, 0, timeout=120)
            return cache.incr(key), None

        return redis_call(count_in_cache, None, "rate limit")

    def count():
        counted = _count_script()(keys=[key, EPOCH_KEY], args=[120], client=redis_client())
        # Lua ends a list at its first nil: no second entry when there is no epoch yet.
        return counted[0], counted[1] if len(counted) > 1 else None

    counted = redis_call(count, None, "rate limit")
    return None if counted is None else (counted[0], epoch_value(counted[1]))


def rate_limit_check(public_id: str) -> str | None:
    """A fixed one-minute window per connection, counted in Redis (or the local cache), never in SQL.

    Returns the auth epoch read in the same round trip (None when unknown), for
    scim.backend.scope_for_token. When Redis does not answer the request is served: refusing every
    provisioning call would be worse than an unmetered minute.
    """
    limit = settings.SCIM_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    counted = _count_request(f"scim-rate:{public_id}:{window}")
    if counted is None:
        return None
    used, epoch = counted
    if used > limit:
        retry_after = max(1, int((window + 1) * 60 - now + 0.999))
        raise ScimError(
            429,
            f"Too many requests: at most {limit} a minute per connection. Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
    return epoch
