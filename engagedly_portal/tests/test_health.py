"""The background-work health report, its command, the staff page and the monitors' probe."""

import ipaddress
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from conftest import signed_in
from employees import services
from employees.models import BackgroundHeartbeat, Employee
from employees.tests.factories import EmployeeFactory
from engagedly_portal.health import background_report
from integrations.activity_log import activity_log

User = get_user_model()
PROBE = "/healthz/background/probe"


def make(org, email, manager_email="", **kwargs):
    return EmployeeFactory(organization=org, email=email, manager_email=manager_email, **kwargs)


def seen(kind: str, seconds_ago: float) -> None:
    services.background_heartbeat_record(kind=kind, seen_by="test")
    BackgroundHeartbeat.objects.filter(kind=kind).update(
        seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.fixture(autouse=True)
def no_heartbeats(db):
    """Worker processes of earlier tests share the test database and may have beaten after it
    was last flushed; each test here starts from none."""
    BackgroundHeartbeat.objects.all().delete()


@pytest.fixture
def with_broker(settings):
    """The verdict of a deployment with a broker and workers (tasks not run in the requests)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


@pytest.fixture
def backlog(acme, django_capture_on_commit_callbacks):
    """A deactivation and two links nobody has processed: one whose manager exists, one waiting."""
    with django_capture_on_commit_callbacks():  # no message is delivered
        services.employee_deactivate(employee=make(acme, "l@acme.example"))
        make(acme, "boss@acme.example")
        make(acme, "r@acme.example", manager_email="BOSS@acme.example")
        make(acme, "early@acme.example", manager_email="nobody-yet@acme.example")
    return acme


def age_everything(seconds: float) -> None:
    before = timezone.now() - timedelta(seconds=seconds)
    Employee.objects.update(created_at=before, deactivated_at=before, manager_link_pending_since=before)
    Employee.objects.filter(manager_link=Employee.ManagerLink.NONE).update(manager_link_pending_since=None)


def test_the_report_tells_due_links_from_links_waiting_for_their_manager(backlog):
    age_everything(90)
    report = background_report()
    assert (report["deactivations_pending"], report["manager_links_due"]) == (1, 1)
    assert report["manager_links_waiting_for_manager"] == 1
    assert 89 < report["oldest_manager_link_due_seconds"] < 120
    assert 89 < report["oldest_manager_link_waiting_seconds"] < 120


def test_a_link_is_due_from_its_managers_arrival_not_from_when_it_started_waiting(acme):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("employees.tasks.enqueue_manager_links", lambda organization_id: None)
        report_to = make(acme, "r@acme.example", manager_email="boss@acme.example")
        Employee.objects.filter(pk=report_to.pk).update(
            manager_link_pending_since=timezone.now() - timedelta(hours=1)
        )
        make(acme, "boss@acme.example")  # just arrived
    report = background_report()
    assert report["manager_links_due"] == 1 and report["oldest_manager_link_due_seconds"] < 30


def test_the_command_prints_the_report_and_fails_on_an_old_due_item(backlog, capsys):
    age_everything(90)
    call_command("background_health")
    out = capsys.readouterr().out
    assert "deactivations pending: 1 (oldest 9" in out
    assert "manager links due (manager exists): 1 (oldest 9" in out
    assert "manager links waiting for their manager: 1" in out
    with pytest.raises(CommandError, match="deactivation"):
        call_command("background_health", "--max-age", "60")
    call_command("background_health", "--max-age", "600")


def test_the_command_check_fails_exactly_when_the_probe_would(db, with_broker, capsys):
    with pytest.raises(CommandError, match="No worker has ever been seen"):
        call_command("background_health", "--check")
    seen("worker", 1)
    seen("beat", 1)
    call_command("background_health", "--check", "--json")
    assert '"problems": []' in capsys.readouterr().out


def test_the_staff_page_is_for_support_staff_only(client, acme_admin, backlog):
    url = reverse("background-health")
    assert client.get(url).status_code == 302
    signed_in(client, acme_admin)
    assert client.get(url).status_code == 302  # an org admin is not support staff
    User.objects.filter(pk=acme_admin.user_id).update(is_staff=True)
    body = client.get(url).json()
    assert body["deactivations_pending"] == 1 and "queued" in body and "problems" in body


def test_the_probe_answers_monitors_on_allowed_networks_or_with_the_token(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # healthy by construction: only access is tested here
    settings.HEALTH_PROBE_TOKEN = "probe-secret-123"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get(PROBE).status_code == 200  # from 127.0.0.1, an allowed network by default
    refused = client.get(PROBE, **outside)
    assert refused.status_code == 403 and "token" in refused.json()["detail"]
    assert client.get(PROBE, HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    assert client.get(PROBE, HTTP_AUTHORIZATION="Bearer probe-secret-123", **outside).status_code == 200
    settings.HEALTH_PROBE_TOKEN = ""  # no token configured: no token works, not even an empty one
    assert client.get(PROBE, HTTP_AUTHORIZATION="Bearer ", **outside).status_code == 403
    settings.HEALTH_PROBE_NETWORKS = [ipaddress.ip_network("203.0.113.0/24")]
    assert client.get(PROBE, **outside).status_code == 200
    assert client.get(PROBE).status_code == 403
    assert client.get(PROBE, REMOTE_ADDR="not-an-address").status_code == 403


def test_the_probe_fails_without_a_recent_worker_or_beat_and_passes_with_them(client, db, with_broker):
    body = client.get(PROBE).json()
    assert body["status"] == "failing" and "No worker has ever been seen." in body["problems"]
    seen("worker", 2)
    seen("beat", 2)
    response = client.get(PROBE)
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"].startswith("max-age=0")
    seen("worker", 61)
    response = client.get(PROBE)
    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert problem.startswith("No worker seen for 6") and problem.endswith("s (limit 60 s).")
    seen("worker", 2)
    seen("beat", 61)
    [problem] = client.get(PROBE).json()["problems"]
    assert problem.startswith("No beat seen for 6")


def test_the_probe_fails_on_old_due_work_but_not_on_links_waiting_for_their_manager(
    client, backlog, with_broker
):
    seen("worker", 1)
    seen("beat", 1)
    Employee.objects.update(manager_link_pending_since=timezone.now() - timedelta(hours=2))
    Employee.objects.filter(email="boss@acme.example").update(created_at=timezone.now() - timedelta(hours=2))
    problems = client.get(PROBE).json()["problems"]
    assert [problem[:50] for problem in problems] == ["A manager link whose manager exists has waited 720"]
    Employee.objects.filter(email="r@acme.example").update(manager_link=Employee.ManagerLink.RESOLVED)
    Employee.objects.update(deactivated_at=timezone.now() - timedelta(seconds=90))
    [problem] = client.get(PROBE).json()["problems"]
    assert problem.startswith("A deactivation has waited 9")
    Employee.objects.update(deactivation_applied_at=timezone.now())
    response = client.get(PROBE)
    assert response.status_code == 200 and response.json()["manager_links_waiting_for_manager"] == 1


def test_without_a_broker_there_is_no_worker_to_wait_for(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get(PROBE)
    assert (response.status_code, response.json()["problems"]) == (200, [])
    assert response.json()["worker_last_seen_seconds"] is None


def test_the_activity_writers_dropped_records_are_reported(client, db):
    before = client.get(PROBE).json()["activity_records_dropped"]
    activity_log.dropped += 3
    try:
        activity_log._publish_dropped()  # what the writer thread does after each flush
        assert client.get(PROBE).json()["activity_records_dropped"] == before + 3
    finally:
        activity_log.dropped -= 3
        activity_log._dropped_published = min(activity_log._dropped_published, activity_log.dropped)


def test_the_queue_depth_counts_waiting_messages_of_every_priority(tmp_path):
    """What the report shows as `queued`, read from a real Redis broker: a redis-server of its own,
    so that nothing else's messages count."""
    from employees.tests.worker_harness import RedisServer
    from engagedly_portal.celery import app, queue_stats

    server = RedisServer(tmp_path).start()
    kept = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=server.url, task_always_eager=False)
    queue = app.conf.task_default_queue
    try:
        assert queue_stats() == {"queue": queue, "queued": 0, "unacknowledged": 0}  # no Redis key yet
        with app.connection_for_write() as connection:
            waiting = connection.SimpleQueue(queue)
            for priority in (0, 0, 9):  # kombu keeps a Redis list per priority step
                waiting.put({"n": priority}, priority=priority)
            waiting.close()
        assert queue_stats() == {"queue": queue, "queued": 3, "unacknowledged": 0}
    finally:
        app.conf.update(kept)
        server.stop()
