"""Who is calling, and how often: the connection's token and its per-minute rate limit."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from engagedly_portal.cache import deferred_take, round_trip, settle, write_commands
from integrations.auth_epoch import EPOCH_KEY, epoch_value, redis_client

from .errors import ScimError

logger = logging.getLogger(__name__)

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


def _count_request(key: str) -> tuple[int, str | None]:
    """Add this request to the window's counter; return it and the auth epoch: one round trip.

    The counter is created with the window's expiry unless it exists, then incremented, and the
    epoch read, in one round trip (engagedly_portal.cache.round_trip), which also carries the
    cache writes that earlier requests of this process left for it, so a request that reads them
    after it (an import's page reading the roster generation) sees them. Without Redis there is
    no shared epoch (None): the token is then checked in the database.
    """
    if settings.REDIS_URL:
        writes = deferred_take()
        commands = [
            *write_commands(writes),
            ("SET", key, 0, "EX", 120, "NX"),
            ("INCR", key),
            ("GET", EPOCH_KEY),
        ]
        try:
            replies = round_trip(redis_client(), commands)
        except Exception as exc:
            settle(writes, [exc] * len(writes))
            raise
        settle(writes, replies[: len(writes)])
        return replies[-2], epoch_value(replies[-1])
    cache.add(key, 0, timeout=120)
    return cache.incr(key), None


def rate_limit_check(public_id: str) -> str | None:
    """A fixed one-minute window per connection, counted in Redis (or the local cache), never in SQL.

    Returns the auth epoch read in the same round trip (None when unknown), for scim.backend.scope_for_token.
    """
    limit = settings.SCIM_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    try:
        used, epoch = _count_request(f"scim-rate:{public_id}:{window}")
    except Exception:  # the cache is down: serve rather than refuse every provisioning call
        logger.warning("SCIM rate limit unavailable; the cache did not answer.")
        return None
    if used > limit:
        retry_after = max(1, int((window + 1) * 60 - now + 0.999))
        raise ScimError(
            429,
            f"Too many requests: at most {limit} a minute per connection. Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
    return epoch


def auth_epoch_read() -> str | None:
    """The auth epoch alone, for callers that do not count requests (None when unknown); read
    through the same round_trip as the rate limit's."""
    if not settings.REDIS_URL:
        return None
    try:
        (epoch,) = round_trip(redis_client(), [("GET", EPOCH_KEY)])
        return epoch_value(epoch)
    except Exception:
        logger.warning("SCIM auth epoch unavailable; Redis did not answer.")
        return None
