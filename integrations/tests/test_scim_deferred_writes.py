"""A SCIM request's cache writes (the roster generation, the background runs' marks) ride with the
next round trip of the process: the next SCIM request's rate-limit round trip, or the activity writer's
tick when no request comes (engagedly_portal.cache.deferred_writes).

transactional_db, Redis for the cache and the rate limit (one database of it, as in production).
"""

import pytest
from django.core.cache import cache

from integrations import roster
from integrations.activity_log import activity_log
from integrations.scim import auth

from .conftest import user_payload

pytestmark = pytest.mark.django_db(transaction=True)

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def deferring(settings, monkeypatch):
    """Records and cache writes behind the requests, as in production, on Redis db 14."""
    settings.REDIS_URL = REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "engagedly_portal.cache.RedisCache",
            "LOCATION": REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SCIM_ACTIVITY_FLUSH_SECONDS = 60  # the writer does not tick during the test
    monkeypatch.setattr("integrations.auth_epoch._REDIS", None)  # clients for this Redis
    cache._cache.get_client(write=True).flushdb()
    yield
    activity_log.close()


def redis_round_trips(monkeypatch) -> list[list[str]]:
    """Every round trip to Redis, as the names of the commands it sent, in order: the rate limit's
    (engagedly_portal.cache.round_trip) and each command sent on its own by either client."""
    from integrations.auth_epoch import redis_client

    sent = []
    for client in {redis_client(), cache._cache.get_client(write=True)}:
        real = client.execute_command

        def spy(*args, real=real, **kwargs):
            sent.append([str(args[0])])
            return real(*args, **kwargs)

        monkeypatch.setattr(client, "execute_command", spy)
    real_round_trip = auth.round_trip

    def round_trip(client, commands):
        sent.append([command[0] for command in commands])
        return real_round_trip(client, commands)

    monkeypatch.setattr(auth, "round_trip", round_trip)
    return sent


def generation(organization_id: int):
    return cache.get(roster._key(organization_id, "generation"))


def test_a_create_s_cache_writes_ride_with_the_next_request_s_round_trip(deferring, scim_tx, monkeypatch):
    organization_id = scim_tx.connection.organization_id
    assert scim_tx.get("/Users?startIndex=1&count=10").body["totalResults"] == 0  # starts a generation
    before = generation(organization_id)
    assert before is not None

    sent = redis_round_trips(monkeypatch)
    created = scim_tx.post("/Users", user_payload("ava@example.com"))
    assert created.status_code == 201
    # The create made one round trip (its rate limit: the window's counter created unless it
    # exists, incremented, and the auth epoch read); its own writes wait for the next one.
    assert sent == [["SET", "INCR", "GET"]]
    assert generation(organization_id) == before

    sent.clear()
    page = scim_tx.get("/Users?startIndex=1&count=10").body
    # The next request's rate-limit round trip carried them (the roster generation, and the
    # manager-link run's mark where the run is queued through Redis), before its page read the roster.
    carried, own = sent[0][:-3], sent[0][-3:]
    assert own == ["SET", "INCR", "GET"] and carried and set(carried) == {"SET"}
    assert ["SET"] not in sent
    assert generation(organization_id) != before
    assert (page["totalResults"], [r["userName"] for r in page["Resources"]]) == (1, ["ava@example.com"])


def test_the_activity_writer_sends_what_no_request_carried(deferring, scim_tx):
    organization_id = scim_tx.connection.organization_id
    scim_tx.get("/Users?startIndex=1&count=10")
    before = generation(organization_id)

    assert scim_tx.post("/Users", user_payload("ava@example.com")).status_code == 201
    assert generation(organization_id) == before
    activity_log.close()  # a tick, or the worker's exit: the same send
    assert generation(organization_id) != before


def test_a_request_refused_by_the_rate_limit_still_carries_the_writes(deferring, scim_tx, settings):
    organization_id = scim_tx.connection.organization_id
    scim_tx.get("/Users?startIndex=1&count=10")
    before = generation(organization_id)
    assert scim_tx.post("/Users", user_payload("ava@example.com")).status_code == 201

    settings.SCIM_RATE_LIMIT_PER_MINUTE = 1
    assert scim_tx.get("/Users?startIndex=1&count=10").status_code == 429
    assert generation(organization_id) != before


def test_writes_are_settled_as_failed_when_redis_does_not_answer(
    deferring, scim_tx, settings, monkeypatch, caplog
):
    organization_id = scim_tx.connection.organization_id
    scim_tx.get("/Users?startIndex=1&count=10")
    before = generation(organization_id)
    assert scim_tx.post("/Users", user_payload("ava@example.com")).status_code == 201

    # The rate limit's Redis stops answering (the cache's stays up, to read the result).
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr("integrations.auth_epoch._REDIS", None)
    # Served without the rate limit (the cache is optional), and the roster's write reported.
    assert scim_tx.get("/Users?startIndex=1&count=10").status_code == 200
    assert "Could not bump the roster generation" in caplog.text
    assert generation(organization_id) == before
