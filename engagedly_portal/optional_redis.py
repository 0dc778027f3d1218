"""Redis as the web process uses it: helpful when it answers, never a reason to wait.

Requests use Redis for a rate limit, cached facts and the marks that coalesce background runs;
the database records everything that matters. So every call is short (REDIS_TIMEOUT_SECONDS,
no retries) and guarded: after one failure this process leaves Redis alone for
REDIS_RETRY_SECONDS, and guarded calls answer their default at once. A hung or stopped Redis
then costs one request one timeout, not every request several.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

_down_until = 0.0
_client = None
_client_lock = threading.Lock()


def redis_client():
    """One client (and connection pool) per process for REDIS_URL."""
    global _client
    if _client is None:
        import redis

        with _client_lock:
            if _client is None:
                _client = redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS)
    return _client


def redis_available() -> bool:
    """False while this process waits out a recent failure."""
    return time.monotonic() >= _down_until


def redis_call(call: Callable[[], T], default: T, what: str) -> T:
    """call(), or `default` when Redis fails or failed within REDIS_RETRY_SECONDS."""
    global _down_until
    if not redis_available():
        return default
    try:
        return call()
    except Exception as exc:
        _down_until = time.monotonic() + settings.REDIS_RETRY_SECONDS
        logger.warning(
            "Redis did not answer (%s: %r); going on without it for %s s.",
            what,
            exc,
            settings.REDIS_RETRY_SECONDS,
        )
        return default


def redis_reset() -> None:
    """Forget a recorded failure (tests, or an operator who knows Redis is back)."""
    global _down_until
    _down_until = 0.0
