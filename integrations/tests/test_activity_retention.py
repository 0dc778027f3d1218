"""Retention: activity older than each organization's setting (default 90 days) is purged by a
beat task in batches, each batch its own transaction, so the request writers never wait."""

import datetime
import threading

import pytest
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import signed_in
from engagedly_portal.celery import app
from integrations import tasks
from integrations.models import ScimRequest
from integrations.retention import activity_purge, retention_days, retention_set
from integrations.tests.settings_helpers import make_connection, record_request

DAY = datetime.timedelta(days=1)


def ages(connection) -> list[int]:
    now = timezone.now()
    return sorted(
        round((now - row.created_at) / DAY) for row in ScimRequest.objects.filter(connection=connection)
    )


def test_default_keeps_90_days(acme):
    connection = make_connection(acme).connection
    for days in (1, 89, 91, 200):
        record_request(connection, ago=days * DAY)
    assert activity_purge().deleted == 2
    assert ages(connection) == [1, 89]


def test_each_organization_has_its_own_retention(acme, outsider_org, acme_admin):
    ours, theirs = make_connection(acme).connection, make_connection(outsider_org).connection
    retention_set(organization=acme, days=30, actor=acme_admin.user)
    for connection in (ours, theirs):
        for days in (10, 40, 100):
            record_request(connection, ago=days * DAY)
    activity_purge()
    assert ages(ours) == [10]
    assert ages(theirs) == [10, 40]


@pytest.mark.django_db(transaction=True)
def test_purge_deletes_in_batches_each_committed_on_its_own(acme):
    connection = make_connection(acme).connection
    for n in range(10):
        record_request(connection, ago=(100 + n) * DAY)
    record_request(connection, ago=DAY)
    seen = []

    def after_batch(count):
        # Between batches no transaction is open: the writers have the table.
        seen.append((count, db_connection.in_atomic_block))

    result = activity_purge(batch_size=3, after_batch=after_batch)
    assert (result.deleted, result.batches) == (10, 4)
    assert seen == [(3, False), (3, False), (3, False), (1, False)]
    assert ages(connection) == [1]


def test_a_run_stops_after_max_batches_and_the_next_continues(acme):
    connection = make_connection(acme).connection
    for n in range(7):
        record_request(connection, ago=(100 + n) * DAY)
    assert activity_purge(batch_size=2, max_batches=2).deleted == 4
    assert activity_purge(batch_size=2, max_batches=2).deleted == 3


@pytest.mark.django_db(transaction=True)
def test_a_writer_is_not_held_up_while_a_purge_runs(acme):
    """A request's record is written from another connection between two batches, and lands."""
    connection = make_connection(acme).connection
    for n in range(6):
        record_request(connection, ago=(100 + n) * DAY)
    landed = []

    def write_from_another_connection():
        from django.db import connections

        try:
            record_request(connection, path="/Users?written-during-the-purge")
            landed.append(True)
        finally:
            connections.close_all()

    def after_batch(count):
        if landed:
            return
        writer = threading.Thread(target=write_from_another_connection)
        writer.start()
        writer.join(timeout=10)
        assert landed, "the writer waited for the purge"

    assert activity_purge(batch_size=2, after_batch=after_batch).deleted == 6
    assert ScimRequest.objects.filter(path__endswith="written-during-the-purge").count() == 1


def test_beat_task_purges(acme, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    connection = make_connection(acme).connection
    record_request(connection, ago=120 * DAY)
    assert tasks.purge_activity.apply().get() == 1


def test_retention_page_changes_the_setting_and_is_audited(admin_client, acme, acme_admin):
    url = reverse("integrations:activity-retention")
    assert 'value="90"' in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"days": "30"}).status_code == 302
    assert retention_days(organization=acme) == 30
    event = AuditEvent.objects.get(action="activity.retention_changed")
    assert (event.before, event.after) == ({"retention_days": 90}, {"retention_days": 30})
    for bad in ("3", "1000", "ninety", ""):
        response = admin_client.post(url, {"days": bad})
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode(), bad
    assert retention_days(organization=acme) == 30


def test_retention_page_is_for_integration_admins_only(client, acme_employee):
    signed_in(client, acme_employee)
    assert client.get(reverse("integrations:activity-retention")).status_code == 403
