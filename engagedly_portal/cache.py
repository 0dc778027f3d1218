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
        self._writes = None

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def writes_script(self):
        """The script of writes_together (see _WRITES), registered once on the write client."""
        if self._writes is None:
            self._writes = self.get_client(write=True).register_script(_WRITES)
        return self._writes


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
    gathered, they are one Lua script call (_WRITES; a redis-py pipeline's client-side machinery
    cost more than the round trip). They are sent when the block ends, in order, and each
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
        try:
            results = _script_send(cache, ops)
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


# SET, or SET NX for an add, of each key with its value and expiry in seconds (-1: none);
# returns 1 per key written, 0 per add that found its key there.
_WRITES = """
local written = {}
for i, key in ipairs(KEYS) do
  local args = {key, ARGV[3 * i - 1]}
  local ttl = tonumber(ARGV[3 * i])
  if ttl >= 0 then
    table.insert(args, 'EX')
    table.insert(args, ttl)
  end
  if ARGV[3 * i - 2] == 'add' then
    table.insert(args, 'NX')
  end
  written[i] = redis.call('SET', unpack(args)) and 1 or 0
end
return written
"""


def _script_send(cache: RedisCache, ops: list) -> list[bool]:
    keys, argv = [], []
    for kind, key, value, timeout, _, _ in ops:
        keys.append(cache.make_and_validate_key(key))
        expiry = cache.get_backend_timeout(timeout)
        argv += [kind, cache._cache._serializer.dumps(value), -1 if expiry is None else max(expiry, 1)]
    return [bool(written) for written in cache._cache.writes_script()(keys=keys, args=argv)]
