"""The Redis cache backend keeps one client per pool and behaves as Django's."""

import threading

from engagedly_portal.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/14"


def test_cache_operations_share_one_client_and_work_from_several_threads():
    cache = RedisCache(REDIS, {"KEY_PREFIX": "cache-test", "OPTIONS": {"socket_timeout": 1}})
    client = cache._cache.get_client()
    results = []

    def worker(n):
        cache.set(f"k{n}", {"n": n}, timeout=30)
        cache.add(f"k{n}", "not replaced", timeout=30)
        results.append((cache.get(f"k{n}"), cache._cache.get_client(write=True) is client))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(value["n"] for value, _ in results) == list(range(8))
    assert all(same for _, same in results)
    assert cache.get_many(["k1", "k2", "missing"]) == {"k1": {"n": 1}, "k2": {"n": 2}}
    cache.delete_many([f"k{n}" for n in range(8)])
    assert cache.get("k1") is None
