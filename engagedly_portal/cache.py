"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` around its pool for every cache operation,
and redis-py's constructor copies its table of response callbacks each time: measured, that cost
more CPU than the round trip itself (about half a millisecond per operation on the 2-core
machine), and SCIM requests make one or two cache calls each (manager-link coalescing, the list
pages' roster). A redis.Redis is safe to share between threads (connections come from its
pool), so each pool's client is built once and kept.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# ---------------------------------------------------------------- writes gathered into one round trip

_batch = threading.local()


@contextmanager
def writes_together():
    """Send the cache writes made inside the block (cache_set, cache_add) in one round trip.

    A SCIM create makes two small cache writes after its INSERT (the roster generation and the
    manager-link run mark), each a round trip to Redis costing more CPU in redis-py than in Redis;
    gathered, they are one pipeline. They are sent when the block ends, in order, and each
    cache_add's callback then learns its outcome. Blocks nest: the outermost one sends. Without
    Redis (the local-memory cache) each write happens at once.
    """
    if getattr(_batch, "ops", None) is not None:
        yield
        return
    _batch.ops = []
    try:
        yield
    finally:
        ops, _batch.ops = _batch.ops, None
        _send(ops)


def cache_set(key: str, value, timeout: float, *, on_error: Callable[[Exception], None]) -> None:
    """cache.set, gathered by writes_together; a failure goes to on_error (the cache is optional)."""
    _write(("set", key, value, timeout, None, on_error))


def cache_add(key: str, value, timeout: float, *, then: Callable[[bool | None], None]) -> None:
    """cache.add, gathered by writes_together; `then` gets True (added), False (the key was there)
    or None (the cache did not answer)."""
    _write(("add", key, value, timeout, then, None))


def _write(op) -> None:
    ops = getattr(_batch, "ops", None)
    if ops is not None and isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache):
        ops.append(op)
    else:
        _send([op])


def _send(ops: list) -> None:
    if not ops:
        return
    cache = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(cache, RedisCache) or len(ops) == 1:
        results = []
        for kind, key, value, timeout, _, _ in ops:
            try:
                results.append(
                    cache.add(key, value, timeout) if kind == "add" else cache.set(key, value, timeout)
                )
            except Exception as exc:  # the cache is optional: each caller decides what a failure means
                results.append(exc)
    else:
        client = cache._cache.get_client(write=True)
        pipeline = client.pipeline(transaction=False)
        for kind, key, value, timeout, _, _ in ops:
            pipeline.set(
                cache.make_and_validate_key(key),
                cache._cache._serializer.dumps(value),
                ex=cache.get_backend_timeout(timeout),
                nx=kind == "add",
            )
        try:
            results = [bool(result) for result in pipeline.execute()]
        except Exception as exc:
            results = [exc] * len(ops)
    for (_, _, _, _, then, on_error), result in zip(ops, results, strict=True):
        if isinstance(result, Exception):
            if on_error is not None:
                on_error(result)
            if then is not None:
                then(None)
        elif then is not None:
            then(bool(result))
