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
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

_down_until = 0.0
_client = None
_client_lock = threading.Lock()
_batch = threading.local()  # one_round_trip()'s writes, per thread


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


# Short-lived marks (roster generations, queued-run marks): strings under plain keys, in Redis when
# REDIS_URL is set (the process's one client: Django's cache backend builds a client per call),
# else in Django's cache (locmem, for the single-process setups without Redis).


@dataclass(frozen=True)
class Write:
    """One mark write. op: "set", "add" (only when absent; the result says whether it was) or
    "delete". `then` receives the result once the round trip is done (None when Redis failed)."""

    op: str
    key: str
    value: str = ""
    ttl: int = 0
    then: Callable[[object], None] | None = None


def marks_get(keys: list[str]) -> dict[str, str] | None:
    """The marks of those keys that exist; None when Redis does not answer."""
    if not settings.REDIS_URL:
        return redis_call(lambda: cache.get_many(keys), None, "read marks")
    values = redis_call(lambda: redis_client().mget(keys), None, "read marks")
    if values is None:
        return None
    return {key: value.decode() for key, value in zip(keys, values, strict=True) if value is not None}


def _send(writes: list[Write]) -> list[bool] | None:
    def in_redis():
        pipeline = redis_client().pipeline(transaction=False)
        for write in writes:
            if write.op == "delete":
                pipeline.delete(write.key)
            else:
                pipeline.set(write.key, write.value, ex=write.ttl, nx=write.op == "add")
        return [bool(result) for result in pipeline.execute()]

    def in_cache():
        results = []
        for write in writes:
            if write.op == "add":
                results.append(cache.add(write.key, write.value, write.ttl))
            elif write.op == "set":
                cache.set(write.key, write.value, write.ttl)
                results.append(True)
            else:
                results.append(cache.delete(write.key))
        return results

    results = redis_call(in_redis if settings.REDIS_URL else in_cache, None, "write marks")
    for index, write in enumerate(writes):
        if write.then is not None:
            write.then(None if results is None else results[index])
    return results


def marks_write(*writes: Write) -> list[bool] | None:
    """The writes in one round trip, now: their results, None when Redis does not answer."""
    return _send(list(writes))


def marks_write_soon(write: Write) -> None:
    """Now, or when the one_round_trip() block this runs in ends, with the block's other writes."""
    batch = getattr(_batch, "writes", None)
    if batch is None:
        _send([write])
    else:
        batch.append(write)


def marks_write_on_commit(write: Write) -> None:
    """marks_write_soon() once the current transaction commits (at once outside one); discarded on
    a rollback."""
    transaction.on_commit(lambda: marks_write_soon(write))


@contextmanager
def one_round_trip():
    """The marks a request's commits write go out together when the block ends, in one pipeline."""
    if getattr(_batch, "writes", None) is not None:  # already inside one
        yield
        return
    _batch.writes = []
    try:
        yield
    finally:
        writes, _batch.writes = _batch.writes, None
        if writes:
            _send(writes)
