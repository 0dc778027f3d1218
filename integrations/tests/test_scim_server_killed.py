"""A deactivation answered just before the web server dies still takes effect within seconds.

Real processes: gunicorn as `make serve` runs it, a throwaway redis-server, and a Celery worker
with beat on the sweep timings as shipped. The deactivation is published to the broker before
the answer leaves (on commit, inside the request), so killing the server (SIGKILL of gunicorn's
arbiter and workers) the moment the answer arrives loses nothing: the worker applies it at
once, without waiting for the sweep.
"""

import socket
import time

import pytest

from employees.models import Employee
from employees.tests.web_harness import WebServer
from employees.tests.worker_harness import wait_until, worker_on_own_redis
from integrations import services

from .conftest import fixture, user_payload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The sweep as shipped (settings' defaults): this test must not lean on a fast test sweep.
SHIPPED_SWEEP = {"BACKGROUND_SWEEP_INTERVAL_SECONDS": "", "BACKGROUND_SWEEP_GRACE_SECONDS": ""}
ROUNDS = 3
BOUND = 5.0  # seconds from the answer to the effects, the bound for this drill


def test_deactivations_answered_right_before_the_server_is_killed_are_applied_within_seconds(acme, tmp_path):
    created = services.connection_create(organization=acme, name="Okta")
    base, token = f"/scim/v2/{created.connection.public_id}", created.plaintext_token
    deactivate = fixture("okta_catalog_deactivate.json")
    with worker_on_own_redis(tmp_path, "server-killed", env=SHIPPED_SWEEP) as (redis, worker, queue):
        web = WebServer(workdir=tmp_path, broker=redis.url, queue=queue).start()
        try:
            ids = []
            for n in range(ROUNDS):
                status, body = web.request(
                    "POST", f"{base}/Users", user_payload(f"leaver{n}@example.com"), token
                )
                assert status == 201, body
                ids.append(body["id"])
            waits = []
            for n, user_id in enumerate(ids):
                if n:
                    web = WebServer(workdir=tmp_path, broker=redis.url, queue=queue).start()
                status, body = web.request("PATCH", f"{base}/Users/{user_id}", deactivate, token)
                web.kill()  # the moment the answer is in
                answered = time.monotonic()
                assert (status, body["active"]) == (200, False), body
                wait_until(
                    lambda user_id=user_id: (
                        Employee.objects.get(pk=user_id).deactivation_applied_at is not None
                    ),
                    BOUND,
                    f"the deactivation of user {user_id} after the server was killed",
                )
                waits.append(time.monotonic() - answered)
        except AssertionError:
            print(web.log_tail())
            raise
        finally:
            web.stop()
        assert worker.process.poll() is None
    assert max(waits) < BOUND, waits


def unreachable_redis() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"  # closed again: nothing listens there


def test_a_deactivation_whose_publish_was_lost_is_applied_by_the_shipped_sweep_within_seconds(
    acme, tmp_path, settings
):
    """The other way a message goes missing: the web server could not reach Redis at all (the
    worker can), so nothing was published and only the sweep, every few seconds as shipped, finds
    the deactivation in the database."""
    created = services.connection_create(organization=acme, name="Okta")
    base, token = f"/scim/v2/{created.connection.public_id}", created.plaintext_token
    deactivate = fixture("okta_catalog_deactivate.json")
    with worker_on_own_redis(tmp_path, "publish-lost", env=SHIPPED_SWEEP) as (_, worker, queue):
        web = WebServer(workdir=tmp_path, broker=unreachable_redis(), queue=queue).start()
        try:
            status, body = web.request("POST", f"{base}/Users", user_payload("leaver@example.com"), token)
            assert status == 201, body
            status, body = web.request("PATCH", f"{base}/Users/{body['id']}", deactivate, token)
            assert (status, body["active"]) == (200, False), body
            wait_until(
                lambda: Employee.objects.get(pk=body["id"]).deactivation_applied_at is not None,
                # The sweep's grace and interval as shipped, and a second for the run itself.
                settings.BACKGROUND_SWEEP_GRACE_SECONDS + settings.BACKGROUND_SWEEP_INTERVAL_SECONDS + 1,
                "the sweep to apply a deactivation nobody published",
            )
        except AssertionError:
            print(web.log_tail())
            raise
        finally:
            web.stop()
        assert worker.process.poll() is None
