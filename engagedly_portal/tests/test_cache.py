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


REDIS_CACHE = {
    "default": {
        "BACKEND": "engagedly_portal.cache.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": "batch-test",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_writes_together_sends_the_block_s_writes_in_one_command_at_its_end(monkeypatch):
    from django.core.cache import cache
    from django.test import override_settings

    from engagedly_portal import cache as module
    from engagedly_portal.cache import cache_add, cache_set, writes_together

    with override_settings(CACHES=REDIS_CACHE):
        cache.delete_many(["gen", "mark"])
        client = cache._cache.get_client(write=True)
        commands = []
        real = module.round_trip
        monkeypatch.setattr(
            module,
            "round_trip",
            lambda redis, sent: commands.append([c[0] for c in sent]) or real(redis, sent),
        )
        outcomes = []
        with writes_together():
            cache_set("gen", "g1", 30, on_error=outcomes.append)
            cache_add("mark", 1, 30, then=outcomes.append)
            cache_add("mark", 2, 30, then=outcomes.append)
            with writes_together():  # nested: the outer block sends
                cache_set("gen", "g2", 30, on_error=outcomes.append)
            assert cache.get("gen") is None and outcomes == [], "nothing sent before the block ends"
        assert commands == [["SET"] * 4]  # one round trip, the writes in their order
        assert outcomes == [True, False]  # the first add took the key, the second found it
        assert (cache.get("gen"), cache.get("mark")) == ("g2", 1)
        assert 25 < client.ttl(cache.make_key("mark")) <= 30
        # Outside a block each write goes at once.
        cache_add("mark", 3, 30, then=outcomes.append)
        assert outcomes[-1] is False
        # No timeout: kept until replaced, as cache.set(key, value, None) keeps it.
        with writes_together():
            cache_set("gen", {"g": 3}, None, on_error=outcomes.append)
            cache_add("mark", 4, 30, then=outcomes.append)
        assert (cache.get("gen"), client.ttl(cache.make_key("gen")), outcomes[-1]) == ({"g": 3}, -1, False)
        cache.delete_many(["gen", "mark"])


def test_writes_together_reports_a_cache_that_does_not_answer():
    from django.test import override_settings

    from engagedly_portal.cache import cache_add, cache_set, writes_together

    down = {"default": {**REDIS_CACHE["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down):
        errors, outcomes = [], []
        with writes_together():
            cache_set("gen", "g1", 30, on_error=errors.append)
            cache_add("mark", 1, 30, then=outcomes.append)
        assert len(errors) == 1 and isinstance(errors[0], Exception)
        assert outcomes == [None]
        cache_add("mark", 1, 30, then=outcomes.append)  # alone, outside a block
        assert outcomes == [None, None]


def test_without_redis_each_write_happens_at_once():
    from django.core.cache import cache
    from django.test import override_settings

    from engagedly_portal.cache import cache_add, writes_together

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    with override_settings(CACHES=local):
        outcomes = []
        with writes_together():
            cache_add("mark", 1, 30, then=outcomes.append)
            assert outcomes == [True] and cache.get("mark") == 1


def test_deferred_writes_wait_for_the_next_round_trip_in_order(caplog):
    from django.core.cache import cache
    from django.test import override_settings

    from engagedly_portal.cache import (
        cache_add,
        cache_set,
        deferred_take,
        deferred_writes,
        send_deferred,
        writes_together,
    )

    with override_settings(CACHES=REDIS_CACHE):
        cache.delete_many(["gen", "mark", "x", "y"])
        outcomes = []
        with deferred_writes():
            cache_set("gen", "g1", 30, on_error=outcomes.append)
            cache_add("mark", 1, 30, then=outcomes.append)
            with writes_together():  # a block inside (a create's) gathers into the deferred one
                cache_set("gen", "g2", 30, on_error=outcomes.append)
        with deferred_writes():  # a second request's
            cache_add("mark", 2, 30, then=outcomes.append)
        assert (cache.get("gen"), cache.get("mark"), outcomes) == (None, None, [])

        send_deferred()  # one round trip for both requests' writes, in their order
        assert outcomes == [True, False]
        assert (cache.get("gen"), cache.get("mark")) == ("g2", 1)
        assert deferred_take() == []

        # Outside deferred_writes a block sends at its end again.
        with writes_together():
            cache_set("gen", "g3", 30, on_error=outcomes.append)
        assert cache.get("gen") == "g3"

        # A callback that fails is logged and the others still learn their outcome.
        with deferred_writes():
            cache_add("x", 1, 30, then=lambda added: 1 / 0)
            cache_add("y", 1, 30, then=outcomes.append)
        send_deferred()
        assert outcomes[-1] is True
        assert "The callback of the cache write to x failed" in caplog.text
        cache.delete_many(["gen", "mark", "x", "y"])


def test_a_round_trip_answers_each_command_in_order_and_drops_a_connection_left_mid_reply():
    import pytest
    import redis

    from engagedly_portal.cache import round_trip

    client = redis.Redis.from_url(REDIS, socket_timeout=1)
    client.delete("rt-counter", "rt-text")
    commands = [("SET", "rt-counter", 0, "EX", 120, "NX"), ("INCR", "rt-counter"), ("GET", "rt-missing")]
    assert round_trip(client, commands) == [b"OK", 1, None]
    assert round_trip(client, commands) == [None, 2, None]  # NX: the counter was there
    assert 110 < client.ttl("rt-counter") <= 120

    client.set("rt-text", "not a number")
    with pytest.raises(redis.ResponseError):
        round_trip(client, [("INCR", "rt-text"), ("INCR", "rt-counter")])
    # The second reply was never read: that connection is gone, and the next round trip is clean.
    assert round_trip(client, [("GET", "rt-counter")]) == [b"3"]
    client.delete("rt-counter", "rt-text")
