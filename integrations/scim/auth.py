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


def rate_limit_check(public_id: str) -> None:
    """A fixed one-minute window per connection, counted in the shared cache (Redis), never in SQL."""
    limit = settings.SCIM_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    key = f"scim-rate:{public_id}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        used = cache.incr(key)
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
