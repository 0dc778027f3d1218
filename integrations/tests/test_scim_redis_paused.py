"""A hung Redis costs a SCIM request one short timeout, and the work waits in the database.

A throwaway redis-server is the broker and the cache of this process and of a real worker; it is
paused with SIGSTOP (connections stay open, nothing answers), so every Redis call would wait.
"""

import time

import pytest
from django.conf import settings as django_settings

from employees.models import Employee
from employees.tests.worker_harness import wait_until, worker_on_own_redis
from engagedly_portal import optional_redis
from integrations import services

from .conftest import ScimClient, fixture, user_payload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def paused_redis_setup(tmp_path, settings, monkeypatch):
    with worker_on_own_redis(tmp_path, "redis-paused") as (server, _, _):
        use_redis(server.url, settings, monkeypatch)
        yield server


def use_redis(url: str, settings, monkeypatch) -> None:
    """This process's cache, rate limit and run marks on `url`."""
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": django_settings.REDIS_CLIENT_OPTIONS,
        }
    }
    monkeypatch.setattr(optional_redis, "_client", None)


def timed(request):
    optional_redis.redis_reset()  # each request meets the hung Redis itself
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_create_and_patch_answer_quickly_while_redis_hangs_and_the_work_is_done_after(
    paused_redis_setup, client, acme
):
    server = paused_redis_setup
    created = services.connection_create(organization=acme, name="Okta")
    scim = ScimClient(client, created.connection, created.plaintext_token)
    leaver = scim.post("/Users", user_payload("leaver@example.com")).body

    server.pause()
    report_body = user_payload("report@example.com")
    report_body[ENTERPRISE]["manager"] = {"value": "boss@example.com"}
    boss_body = user_payload("boss@example.com")
    deactivate = fixture("okta_catalog_deactivate.json")

    report, report_seconds = timed(lambda: scim.post("/Users", report_body))
    boss, boss_seconds = timed(lambda: scim.post("/Users", boss_body))
    patched, patch_seconds = timed(lambda: scim.patch(f"/Users/{leaver['id']}", deactivate))

    assert (report.status_code, boss.status_code, patched.status_code) == (201, 201, 200)
    assert patched.body["active"] is False
    assert max(report_seconds, boss_seconds, patch_seconds) < 0.5, (
        report_seconds,
        boss_seconds,
        patch_seconds,
    )
    # Nothing was published; the database records what is left to do.
    assert Employee.objects.get(pk=report.body["id"]).manager_link == Employee.ManagerLink.PENDING
    assert Employee.objects.get(pk=leaver["id"]).deactivation_applied_at is None

    server.resume()
    wait_until(
        lambda: (
            Employee.objects.get(pk=report.body["id"]).manager_id == int(boss.body["id"])
            and Employee.objects.get(pk=leaver["id"]).deactivation_applied_at is not None
        ),
        30,
        "the worker's sweep to finish the work once Redis answers again",
    )
