"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` around its pool for every cache operation,
and redis-py's constructor copies its table of response callbacks each time: measured, that cost
more CPU than the round trip itself (about half a millisecond per operation on the 2-core
machine), and SCIM requests make one or two cache calls each (manager-link coalescing, the list
pages' roster). A redis.Redis is safe to share between threads (connections come from its
pool), so each pool's client is built once and kept.
"""

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)


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

# Writes that writes_together blocks left for later (see deferred_writes), in order.
_deferred: list = []
_deferred_lock = threading.Lock()


@contextmanager
def writes_together():
    """Send the cache writes made inside the block (cache_set, cache_add) in one round trip.

    A SCIM create makes two small cache writes after its INSERT (the roster generation and the
    manager-link run mark), each a round trip to Redis costing more CPU in redis-py than in Redis;
    gathered, they are one Lua script call (_WRITES; a redis-py pipeline's client-side machinery
    cost more than the round trip). They are sent when the block ends, in order, and each
    cache_add's callback then learns its outcome. Blocks nest: the outermost one sends. Without
    Redis (the local-memory cache) each write happens at once. Inside deferred_writes the
    outermost block leaves its writes for the next round trip instead.
    """
    if getattr(_batch, "ops", None) is not None:
        yield
        return
    _batch.ops = []
    try:
        yield
    finally:
        ops, _batch.ops = _batch.ops, None
        if ops and getattr(_batch, "defer", False):
            with _deferred_lock:
                _deferred.extend(ops)
        else:
            _send(ops)


@contextmanager
def deferred_writes():
    """Inside the block, the cache writes gathered by writes_together are sent later, with the
    next round trip this process makes for a SCIM request (integrations.scim.auth's rate-limit
    script carries them) or by send_deferred (the activity writer's tick), whichever comes first.

    For SCIM requests, whose cache writes (the roster generation, the background runs' marks)
    only need to land before the next request reads them: a request of this process reads them
    after its own round trip, which carries them first; a request of another process sees them
    within that tick (SCIM_ACTIVITY_FLUSH_SECONDS). It spares each create its second round trip.
    """
    _batch.defer = True
    try:
        with writes_together():
            yield
    finally:
        _batch.defer = False


def deferred_take() -> list:
    """The writes waiting to be sent, taken: the caller sends them and settles them (settle)."""
    global _deferred
    with _deferred_lock:
        ops, _deferred = _deferred, []
    return ops


def send_deferred() -> None:
    """Send the writes waiting to be sent now (one round trip), if any."""
    _send(deferred_take())


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
            keys, argv = script_arguments(ops)
            results = cache._cache.writes_script()(keys=keys, args=argv)
        except Exception as exc:
            results = [exc] * len(ops)
    settle(ops, results)


def settle(ops: list, results: list) -> None:
    """Tell each write's callback its outcome: for each op, 1/0 (written or not, as WRITE_ALL
    returns it) or the exception that stopped it."""
    for (_, key, _, _, then, on_error), result in zip(ops, results, strict=True):
        try:
            if isinstance(result, Exception):
                if on_error is not None:
                    on_error(result)
                if then is not None:
                    then(None)
            elif then is not None:
                then(bool(result))
        except Exception:  # a callback's failure is its own, not the caller's (maybe another request)
            logger.exception("The callback of the cache write to %s failed.", key)


# WRITE_ALL(first_key, first_arg): SET, or SET NX for an add, of each key from KEYS[first_key] on
# with its kind, value and expiry in seconds (-1: none) from ARGV[first_arg] on; returns 1 per
# key written, 0 per add that found its key there. Other scripts carry writes by including it.
WRITE_ALL = """
local function write_all(first_key, first_arg)
  local written = {}
  local i = 0
  while KEYS[first_key + i] do
    local a = first_arg + 3 * i
    local args = {KEYS[first_key + i], ARGV[a + 1]}
    local ttl = tonumber(ARGV[a + 2])
    if ttl >= 0 then
      table.insert(args, 'EX')
      table.insert(args, ttl)
    end
    if ARGV[a] == 'add' then
      table.insert(args, 'NX')
    end
    written[i + 1] = redis.call('SET', unpack(args)) and 1 or 0
    i = i + 1
  end
  return written
end
"""
_WRITES = WRITE_ALL + "return write_all(1, 1)"


def script_arguments(ops: list) -> tuple[list, list]:
    """The KEYS and ARGV that WRITE_ALL reads for `ops`, as the default cache names and stores them."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    keys, argv = [], []
    for kind, key, value, timeout, _, _ in ops:
        keys.append(cache.make_and_validate_key(key))
        expiry = cache.get_backend_timeout(timeout)
        argv += [kind, cache._cache._serializer.dumps(value), -1 if expiry is None else max(expiry, 1)]
    return keys, argv
