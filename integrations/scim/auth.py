"""Who is calling, and how often: the connection's token and its per-minute rate limit."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

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


_REDIS = None


def _redis():
    """One client (and connection pool) per process for the counters, built on first use."""
    global _REDIS
    if _REDIS is None:
        import redis

        _REDIS = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    return _REDIS


def _count_request(key: str) -> int:
    """Add this request to the window's counter and return it: one round trip on Redis.

    INCR and EXPIRE go in one pipeline; Django's cache API would take three round trips
    (add, then incr, which checks that the key exists first), on every SCIM request.
    """
    if settings.REDIS_URL:
        pipe = _redis().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 120)
        return pipe.execute()[0]
    cache.add(key, 0, timeout=120)
    return cache.incr(key)


def rate_limit_check(public_id: str) -> None:
    """A fixed one-minute window per connection, counted in Redis (or the local cache), never in SQL."""
    limit = settings.SCIM_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    try:
        used = _count_request(f"scim-rate:{public_id}:{window}")
    except Exception:  # the cache is down: serve rather than refuse every provisioning call
        logger.warning("SCIM rate limit unavailable; the cache did not answer.")
        return
    if used > limit:
        retry_after = max(1, int((window + 1) * 60 - now + 0.999))
        raise ScimError(
            429,
            f"Too many requests: at most {limit} a minute per connection. Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
