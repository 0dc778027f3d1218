"""The probe against a real Celery worker (with beat) on a throwaway redis-server.

No worker seen for a minute: 503. A worker starts: 200 within seconds, from its own heartbeat
and its first sweep. The worker is killed: its heartbeat stops, and the probe fails again.
"""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from employees.models import BackgroundHeartbeat
from employees.tests.worker_harness import RedisServer, Worker, publishing_to, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROBE = "/healthz/background/probe"
PATIENCE = 30  # seconds; a worker starts and beats in a few


def probe_status(client: Client) -> int:
    return client.get(PROBE).status_code


def test_the_probe_fails_without_a_worker_and_passes_once_a_real_worker_runs(tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    server = RedisServer(tmp_path).start()
    queue = f"test-probe-{uuid.uuid4().hex[:12]}"
    worker = Worker(
        broker=server.url, queue=queue, workdir=tmp_path, name="probe", env={"WORKER_HEARTBEAT_SECONDS": "1"}
    )
    client = Client()
    try:
        with publishing_to(server.url, queue):  # the report reads this broker's queue
            # A worker and beat last seen 61 s ago, and none running since. (Workers of earlier
            # tests share the test database and may have beaten after it was last flushed.)
            BackgroundHeartbeat.objects.all().delete()
            for kind in BackgroundHeartbeat.Kind.values:
                BackgroundHeartbeat.objects.create(
                    kind=kind, seen_at=timezone.now() - timedelta(seconds=61), seen_by="gone@host"
                )
            response = client.get(PROBE)
            assert response.status_code == 503
            assert response.json()["problems"][0].startswith("No worker seen for 6")

            worker.start()
            wait_until(
                lambda: probe_status(client) == 200, PATIENCE, "the probe to pass with a worker running"
            )
            body = client.get(PROBE).json()
            assert body["worker_last_seen_seconds"] < 5 and body["beat_last_seen_seconds"] < 5
            assert BackgroundHeartbeat.objects.get(kind="worker").seen_by.startswith("probe-")

            worker.kill()
            settings.HEALTH_WORKER_SILENCE_SECONDS = 3  # not a minute: the heartbeat itself must stop
            settings.HEALTH_BEAT_SILENCE_SECONDS = 3
            wait_until(
                lambda: probe_status(client) == 503, PATIENCE, "the probe to fail once the worker died"
            )
            problems = client.get(PROBE).json()["problems"]
            assert any(problem.startswith("No worker seen for") for problem in problems), problems
    except AssertionError:
        print(worker.log_tail() if worker.process else "worker not started")
        raise
    finally:
        worker.stop()
        server.stop()
