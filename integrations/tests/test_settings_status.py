"""Defect 2: the status comes from a window of activity and says why; the 24 h / 7 d summary."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import selectors
from integrations.status import NO_STREAK, Status, Streak, activity_summary, connection_health
from integrations.tests.settings_helpers import make_connection, record_request

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def connection(acme):
    return make_connection(acme).connection


def health(connection):
    return selectors.connection_overview_get(organization=connection.organization, pk=connection.pk).health


def test_one_stray_401_does_not_turn_a_working_connection_failing(connection):
    record_request(connection, status_code=200, ago=10 * MINUTE)
    record_request(connection, status_code=401, ago=MINUTE)
    state = health(connection)
    assert state.status == Status.CONNECTED
    assert state.reason.startswith("1 × 401 invalid token since ")
    assert "last success at" in state.reason


def test_a_streak_of_401s_is_failing_with_count_code_and_start(connection):
    record_request(connection, status_code=200, ago=60 * MINUTE)
    started = timezone.localtime(timezone.now() - 30 * MINUTE)
    for minutes in range(30, 18, -1):
        record_request(connection, status_code=401, ago=minutes * MINUTE)
    state = health(connection)
    assert state.status == Status.FAILING
    clock = f"{started:%H:%M}" if started.date() == timezone.localdate() else f"{started:%-d %b %H:%M}"
    assert state.text == f"Failing: 12 × 401 invalid token since {clock}"


def test_a_success_ends_the_streak(connection):
    for minutes in (9, 8, 7):
        record_request(connection, status_code=500, ago=minutes * MINUTE)
    assert health(connection).status == Status.FAILING
    record_request(connection, status_code=200, ago=MINUTE)
    assert health(connection).text == "Connected"


def test_expected_404_and_409_are_healthy(connection):
    record_request(connection, status_code=200, ago=5 * MINUTE)
    for _ in range(5):
        record_request(connection, status_code=404)
        record_request(connection, status_code=409)
    assert health(connection).text == "Connected"


def test_a_connection_that_never_worked_fails_from_its_first_error(connection):
    record_request(connection, status_code=401)
    assert health(connection).status == Status.FAILING


def test_idle_since_the_last_request(connection):
    record_request(connection, status_code=200, ago=datetime.timedelta(days=3))
    state = health(connection)
    assert state.status == Status.IDLE
    assert state.text.startswith("Idle: no requests since ")


def test_the_two_most_frequent_failures_are_named():
    now = timezone.now()
    streak = Streak(counts={401: 2, 500: 7, 429: 1}, since=now)
    state = connection_health(
        provisioning_enabled=True, last_request_at=now, last_healthy_at=now - MINUTE, streak=streak, now=now
    )
    assert state.reason.startswith("7 × 500 server error, 2 × 401 invalid token since ")


def test_disabled_wins_over_everything():
    state = connection_health(
        provisioning_enabled=False, last_request_at=None, last_healthy_at=None, streak=NO_STREAK
    )
    assert state.status == Status.DISABLED


def test_status_and_reason_on_the_okta_list_and_the_connection_page(admin_client, connection):
    for minutes in (5, 4, 3):
        record_request(connection, status_code=401, ago=minutes * MINUTE)
    for url in (reverse("integrations:okta"), reverse("integrations:connection", args=[connection.pk])):
        body = admin_client.get(url).content.decode()
        assert "3 × 401 invalid token since" in body, url


def test_summary_counts_24_hours_and_7_days(connection, admin_client):
    record_request(connection, status_code=201, operation="create", ago=MINUTE)
    record_request(connection, status_code=201, operation="create", ago=datetime.timedelta(days=3))
    record_request(connection, status_code=200, operation="update", ago=MINUTE)
    record_request(connection, status_code=200, operation="deactivate", ago=datetime.timedelta(days=2))
    record_request(connection, status_code=400, operation="create", ago=MINUTE)  # an error, not a create
    record_request(connection, status_code=404, operation="lookup", ago=MINUTE)  # expected, not an error
    record_request(connection, status_code=201, operation="create", ago=datetime.timedelta(days=8))
    summary = activity_summary(connection=connection)
    assert (summary.day.created, summary.day.updated, summary.day.deactivated, summary.day.errors) == (
        1,
        1,
        0,
        1,
    )
    assert (summary.week.created, summary.week.updated, summary.week.deactivated, summary.week.errors) == (
        2,
        1,
        1,
        1,
    )
    body = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert "Last 24 hours and 7 days" in body and "Last successful request" in body


def test_status_of_many_connections_takes_a_bounded_number_of_queries(
    admin_client, acme, django_assert_max_num_queries
):
    for index in range(6):
        connection = make_connection(acme, name=f"Okta {index}").connection
        record_request(connection, status_code=200, ago=10 * MINUTE)
        record_request(connection, status_code=401)
    with django_assert_max_num_queries(8):
        admin_client.get(reverse("integrations:okta"))
