"""End to end on a real Redis with real Celery worker processes (not in-process execution).

Each test writes through the services in this process; the messages go to Redis after commit
and a separate `celery worker --beat` process applies them to the shared test database.
"""

import json
import time
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from employees import services
from employees.models import Employee, UserSession
from employees.tests.factories import EmployeeFactory
from employees.tests.worker_harness import (
    RedisServer,
    Worker,
    broker_url,
    forget_queue,
    publishing_to,
    unacked_tasks,
    wait_until,
    worker_on_own_redis,
)
from integrations.models import ProvisionedEmployee, ScimRequest
from integrations.services import connection_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

User = get_user_model()
PATIENCE = 30  # seconds; the work itself takes well under one


@pytest.fixture(scope="module")
def queue():
    name = f"test-background-{uuid.uuid4().hex[:12]}"
    yield name
    forget_queue(broker_url(), name)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("workers")


@pytest.fixture(scope="module")
def shared_worker(django_db_setup, django_db_blocker, queue, workdir):
    with django_db_blocker.unblock():
        worker = Worker(broker=broker_url(), queue=queue, workdir=workdir, name="shared").start()
    yield worker
    worker.stop()


@pytest.fixture
def live_queue(queue):
    with publishing_to(broker_url(), queue):
        yield queue


def make(org, email, manager_email="", **kwargs):
    return EmployeeFactory(organization=org, email=email, manager_email=manager_email, **kwargs)


def links(org) -> dict[str, str | None]:
    return {
        e.email: (e.manager.email if e.manager else None)
        for e in Employee.objects.filter(organization=org).select_related("manager")
    }


def all_links_settled(org) -> bool:
    return not Employee.objects.filter(organization=org, manager_link=Employee.ManagerLink.PENDING).exists()


def sign_in(email: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": email, "password": password})
    assert response.status_code == 302, "sign-in should succeed before the deactivation"
    return client


def test_managers_pushed_before_and_after_their_reports_are_all_linked(acme, shared_worker, live_queue):
    # ceo <- vp (manager first) ; vp <- lead, lead <- dev (reports first); case differs on purpose.
    make(acme, "ceo@acme.example")
    make(acme, "vp@acme.example", manager_email="CEO@acme.example")
    make(acme, "dev@acme.example", manager_email="lead@acme.example")
    make(acme, "lead@acme.example", manager_email="vp@ACME.example")
    make(acme, "self@acme.example", manager_email="self@acme.example")

    wait_until(lambda: all_links_settled(acme), PATIENCE, "every manager link to settle")

    assert links(acme) == {
        "ceo@acme.example": None,
        "vp@acme.example": "ceo@acme.example",
        "lead@acme.example": "vp@acme.example",
        "dev@acme.example": "lead@acme.example",
        "self@acme.example": None,
    }
    refused = Employee.objects.get(email="self@acme.example")
    assert refused.manager_link == Employee.ManagerLink.UNRESOLVED
    assert "own manager" in refused.manager_link_error


def test_deactivation_effects_are_applied_by_the_worker(acme, shared_worker, live_queue):
    okta = connection_create(organization=acme, name="Okta").connection
    leaver = make(acme, "leaver@acme.example", password="pw-Leaver-123")
    ProvisionedEmployee.objects.create(employee=leaver, connection=okta)
    browsers = [sign_in("leaver@acme.example", "pw-Leaver-123") for _ in range(2)]
    assert UserSession.objects.filter(user_id=leaver.user_id).count() == 2

    services.employee_deactivate(employee=leaver, reason="left the company")

    wait_until(
        lambda: Employee.objects.get(pk=leaver.pk).deactivation_applied_at is not None,
        PATIENCE,
        "the deactivation to be applied",
    )
    assert not UserSession.objects.filter(user_id=leaver.user_id).exists()
    assert not User.objects.get(pk=leaver.user_id).is_active
    for browser in browsers:
        assert browser.get(reverse("employees:directory")).status_code == 302
    refused = Client().post(
        reverse("login"), {"username": "leaver@acme.example", "password": "pw-Leaver-123"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    activity = ScimRequest.objects.get(connection=okta, operation=ScimRequest.Operation.BACKGROUND)
    assert activity.employee_id == leaver.pk


def test_redis_stopped_during_a_push_then_the_sweep_completes_everything(acme, workdir):
    queue = f"test-redis-down-{uuid.uuid4().hex[:12]}"
    server = RedisServer(workdir).start()
    worker = None
    try:
        worker = Worker(broker=server.url, queue=queue, workdir=workdir, name="redis-down").start()
        with publishing_to(server.url, queue):
            started = time.monotonic()
            make(acme, "ceo@acme.example")
            before = make(acme, "before@acme.example", password="pw-Before-123")
            # What a write costs here with the broker up (the test database is shared with the
            # worker process, so a loaded machine slows every write alike).
            usual = (time.monotonic() - started) / 2
            wait_until(lambda: all_links_settled(acme), PATIENCE, "links pushed while Redis is up")

            server.stop()
            slowest = 0.0
            pushed = []
            for email, manager in [
                ("dev@acme.example", "lead@acme.example"),  # the report before its manager
                ("lead@acme.example", "ceo@acme.example"),
                ("qa@acme.example", "lead@acme.example"),
            ]:
                started = time.monotonic()
                pushed.append(make(acme, email, manager_email=manager))
                slowest = max(slowest, time.monotonic() - started)
            started = time.monotonic()
            services.employee_deactivate(employee=before)
            slowest = max(slowest, time.monotonic() - started)
            # Every write succeeded, quickly, with the broker down; the work is recorded as pending.
            # (A publish that waited on the dead broker added over 2 s a write before it failed fast.)
            assert slowest < usual + 1.0, f"a write took {slowest:.2f} s with Redis down ({usual:.2f} s up)"
            assert Employee.objects.filter(manager_link=Employee.ManagerLink.PENDING).count() == 3
            assert Employee.objects.get(pk=before.pk).deactivation_applied_at is None

            server.start()  # same port; an empty Redis: every message published before is gone
            wait_until(
                lambda: (
                    all_links_settled(acme)
                    and Employee.objects.get(pk=before.pk).deactivation_applied_at is not None
                ),
                PATIENCE,
                "the sweep to finish the work pushed while Redis was down",
            )
        assert links(acme)["dev@acme.example"] == "lead@acme.example"
        assert links(acme)["qa@acme.example"] == "lead@acme.example"
        assert links(acme)["lead@acme.example"] == "ceo@acme.example"
        assert not User.objects.get(pk=before.user_id).is_active
    except AssertionError:
        if worker:
            print(worker.log_tail())
        raise
    finally:
        if worker:
            worker.stop()
        server.stop()


def test_the_worker_survives_redis_going_away_while_it_holds_messages(acme, workdir):
    """Redis stops for 10 s while the worker holds unacknowledged runs (waiting for their
    countdown): the worker keeps running, reconnects, and the work written meanwhile is applied
    within 10 s of Redis's return (engagedly_portal/broker.py)."""
    from employees import tasks

    with worker_on_own_redis(workdir, "redis-gone") as (server, worker, queue):
        leaver = make(acme, "leaver@acme.example", password="pw-Leaver-123")
        for _ in range(3):  # held by the worker, unacknowledged, when Redis goes
            tasks.resolve_organization_links.apply_async((acme.pk,), countdown=60)
        wait_until(lambda: len(unacked_tasks(server.url, queue)) == 3, PATIENCE, "the worker to hold them")

        server.stop()
        stopped = time.monotonic()
        services.employee_deactivate(employee=leaver, reason="left while Redis was away")
        make(acme, "report@acme.example", manager_email="boss@acme.example")
        make(acme, "boss@acme.example")
        time.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
        server.start()  # an empty Redis: what it held is gone; the database still knows
        back = time.monotonic()
        waited = wait_until(
            lambda: (
                Employee.objects.get(pk=leaver.pk).deactivation_applied_at is not None
                and all_links_settled(acme)
            ),
            PATIENCE,
            "the work written while Redis was away",
        )
        assert worker.process.poll() is None, worker.log_tail()
        assert time.monotonic() - back < 10 + 1 and waited < 10, waited
        assert links(acme)["report@acme.example"] == "boss@acme.example"
        assert "Unrecoverable error" not in worker.log_path.read_text()


def _hold_employee_row(employee: Employee) -> None:
    """Block the worker's deactivation transaction until ours ends (a row lock; SQLite locks the file)."""
    if connection.vendor == "postgresql":
        Employee.objects.select_for_update().get(pk=employee.pk)
    else:
        Employee.objects.filter(pk=employee.pk).update(job_title="Leaving")


@pytest.fixture
def own_queue():
    """A queue no other worker of this module consumes."""
    name = f"test-killed-{uuid.uuid4().hex[:12]}"
    with publishing_to(broker_url(), name):
        yield name
    forget_queue(broker_url(), name)


def test_worker_killed_mid_task_is_restarted_and_the_work_is_done_once(acme, own_queue, workdir):
    queue = own_queue
    okta = connection_create(organization=acme, name="Okta").connection
    leaver = make(acme, "leaver@acme.example", password="pw-Leaver-123")
    ProvisionedEmployee.objects.create(employee=leaver, connection=okta)
    sign_in("leaver@acme.example", "pw-Leaver-123")
    # No worker consumes this queue yet: the message waits in Redis.
    services.employee_deactivate(employee=leaver)

    doomed = Worker(broker=broker_url(), queue=queue, workdir=workdir, name="doomed")
    with transaction.atomic():
        _hold_employee_row(leaver)
        doomed.start()
        wait_until(
            lambda: any(
                h["task"] == "employees.tasks.apply_organization_deactivations"
                for h in unacked_tasks(broker_url(), queue)
            ),
            PATIENCE,
            "the worker to take the deactivation",
        )
        doomed.kill()
    assert Employee.objects.get(pk=leaver.pk).deactivation_applied_at is None
    assert UserSession.objects.filter(user_id=leaver.user_id).exists(), "nothing half done"

    restarted = Worker(broker=broker_url(), queue=queue, workdir=workdir, name="restarted").start()
    try:
        wait_until(
            lambda: Employee.objects.get(pk=leaver.pk).deactivation_applied_at is not None,
            PATIENCE,
            "the restarted worker to apply the deactivation",
        )
        applied_at = Employee.objects.get(pk=leaver.pk).deactivation_applied_at
        time.sleep(2.5)  # two more sweeps: nothing is applied a second time
        assert Employee.objects.get(pk=leaver.pk).deactivation_applied_at == applied_at
        assert (
            ScimRequest.objects.filter(employee=leaver, operation=ScimRequest.Operation.BACKGROUND).count()
            == 1
        )
        assert not UserSession.objects.filter(user_id=leaver.user_id).exists()
    finally:
        restarted.stop()


def scim_user(email: str, manager: str = "") -> dict:
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
        "userName": email,
        "name": {"givenName": email.split("@")[0].title(), "familyName": "Example"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "externalId": f"00u{uuid.uuid4().hex[:17]}",
        "password": "placeholder",
        "active": True,
    }
    if manager:
        body[enterprise] = {"manager": {"value": manager}}
    return body


def test_users_pushed_through_scim_in_any_order_get_their_managers_and_deactivation_applies(
    acme, shared_worker, live_queue
):
    okta = connection_create(organization=acme, name="Okta")
    base = reverse("scim:root", kwargs={"public_id": okta.connection.public_id}).rstrip("/")
    scim = Client(HTTP_AUTHORIZATION=f"Bearer {okta.plaintext_token}")
    ids = {}
    # Reports before their managers and managers before their reports, in one push.
    for email, manager in [
        ("dev@acme.example", "Lead@acme.example"),
        ("ceo@acme.example", ""),
        ("lead@acme.example", "ceo@acme.example"),
        ("vp@acme.example", "ceo@acme.example"),
        ("ops@acme.example", "vp@acme.example"),
    ]:
        response = scim.post(
            f"{base}/Users", json.dumps(scim_user(email, manager)), content_type="application/scim+json"
        )
        assert response.status_code == 201, response.content
        ids[email] = response.json()["id"]

    wait_until(lambda: all_links_settled(acme), PATIENCE, "links of users pushed through SCIM")
    assert links(acme) == {
        "ceo@acme.example": None,
        "lead@acme.example": "ceo@acme.example",
        "dev@acme.example": "lead@acme.example",
        "vp@acme.example": "ceo@acme.example",
        "ops@acme.example": "vp@acme.example",
    }

    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    response = scim.patch(
        f"{base}/Users/{ids['dev@acme.example']}", json.dumps(patch), content_type="application/scim+json"
    )
    assert response.status_code == 200 and response.json()["active"] is False
    dev = Employee.objects.get(email="dev@acme.example")
    wait_until(
        lambda: Employee.objects.get(pk=dev.pk).deactivation_applied_at is not None,
        PATIENCE,
        "the SCIM deactivation",
    )
    assert dev.user_id is None  # pushed through SCIM: no login account, nothing to turn off
    assert ScimRequest.objects.filter(employee=dev, operation=ScimRequest.Operation.BACKGROUND).count() == 1
