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

# Writes that writes_together blocks left for later (see deferred_writes), in order.
_deferred: list = []
_deferred_lock = threading.Lock()


@contextmanager
def writes_together():
    """Send the cache writes made inside the block (cache_set, cache_add) in one round trip.

    A SCIM create makes two small cache writes after its INSERT (the roster generation and the
    manager-link run mark), each a round trip to Redis costing more CPU in redis-py than in Redis;
    gathered, they are one round_trip. They are sent when the block ends, in order, and each
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
            results = round_trip(cache._cache.get_client(write=True), write_commands(ops))
        except Exception as exc:
            results = [exc] * len(ops)
    settle(ops, results)


def settle(ops: list, results: list) -> None:
    """Tell each write's callback its outcome: for each op, its reply (true: written; None: an
    add that found its key there) or the exception that stopped it."""
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


def write_commands(ops: list) -> list[tuple]:
    """The Redis commands of `ops`, keys and values as the default cache names and stores them:
    SET with its expiry (none for a timeout of None), and NX for an add."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    commands = []
    for kind, key, value, timeout, _, _ in ops:
        command = ["SET", cache.make_and_validate_key(key), cache._cache._serializer.dumps(value)]
        expiry = cache.get_backend_timeout(timeout)
        if expiry is not None:
            command += ["EX", max(int(expiry), 1)]
        if kind == "add":
            command.append("NX")
        commands.append(tuple(command))
    return commands


def round_trip(client, commands: list[tuple]) -> list:
    """Send `commands` to Redis in one write and read their replies: one round trip.

    What a redis-py pipeline (transaction=False) does, without its machinery: a SCIM request's
    round trip (rate limit, auth epoch, the cache writes before it) through a Pipeline cost the
    request more CPU than the commands themselves, and through a Lua script more again, the
    script's run in Redis keeping the request waiting long enough to be put to sleep. Replies
    come as the connection's parser gives them (bytes, integers, None), without redis-py's
    response callbacks. Any failure (an error reply, a timeout, a lost connection) is raised,
    and the connection, whose remaining replies are unknown, is dropped rather than reused.
    """
    pool = client.connection_pool
    connection = pool.get_connection()
    try:
        connection.send_packed_command(connection.pack_commands(commands))
        return [connection.read_response() for _ in commands]
    except BaseException:
        connection.disconnect()
        raise
    finally:
        pool.release(connection)
