"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` around its pool for every cache operation,
and redis-py's constructor copies its table of response callbacks each time: measured, that cost
more CPU than the round trip itself (about half a millisecond per operation on the 2-core
machine), and SCIM requests make one or two cache calls each (manager-link coalescing, the list
pages' roster). A redis.Redis is safe to share between threads (connections come from its
pool), so each pool's client is built once and kept.
"""

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
