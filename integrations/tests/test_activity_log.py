"""SCIM activity records written behind the requests (integrations/activity_log.py)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.activity_log import ActivityLog, activity_log
from integrations.models import ScimRequest
from integrations.tests.conftest import written_as_one_batch

pytestmark = pytest.mark.django_db(transaction=True)


def record_fields(connection_id: int, path: str = "/Users") -> dict:
    return {
        "connection_id": connection_id,
        "token": None,
        "created_at": timezone.now(),
        "method": "GET",
        "path": path,
        "status_code": 200,
        "outcome": "success",
        "operation": "lookup",
        "resource_id": "",
        "employee_id": None,
        "detail": "",
        "duration_ms": 3,
    }


def paths() -> list[str]:
    return sorted(ScimRequest.objects.values_list("path", flat=True))


def test_a_scim_request_runs_no_statement_for_its_record_and_the_writer_saves_it(scim):
    scim.flush = False  # the writer thread does not wake during a test (settings_test)
    with CaptureQueriesContext(connection) as queries:
        assert scim.get("/Users?startIndex=1&count=2").status_code == 200
    assert not [q for q in queries if "scimrequest" in q["sql"].lower()]
    assert ScimRequest.objects.count() == 0

    activity_log.close()
    record = ScimRequest.objects.get()
    assert (record.connection_id, record.method, record.status_code) == (scim.connection.pk, "GET", 200)


def test_a_queued_lookup_is_stored_decoded_with_its_email_masked(scim):
    scim.flush = False  # the path is decoded and masked by the writer
    query = "filter=userName+eq+%22ava.nguyen%40example.com%22&startIndex=1&count=100"
    assert scim.get(f"/Users?{query}").status_code == 200
    assert scim.get("/Users?count=2").status_code == 200

    activity_log.close()
    base = f"/scim/v2/{scim.connection.public_id}/Users"
    assert paths() == [
        f"{base}?count=2",
        f'{base}?filter=userName eq "a***@example.com"&startIndex=1&count=100',
    ]


def test_a_request_with_a_nul_in_its_path_or_query_is_recorded_and_holds_back_nothing(scim):
    """Found with the fuzz test: a decoded %00 made the batch unwritable on PostgreSQL, for good."""
    scim.flush = False
    assert scim.get("/Users?filter=%00").status_code == 400
    assert scim.get("/Users/%00").status_code in (400, 404)
    assert scim.get("/Users?count=2").status_code == 200

    activity_log.close()
    base = f"/scim/v2/{scim.connection.public_id}/Users"
    assert sorted(paths()) == sorted([f"{base}?filter=\ufffd", f"{base}/\ufffd", f"{base}?count=2"])


def test_the_writer_thread_writes_what_gathered_in_one_insert(acme_connection, settings):
    settings.SCIM_ACTIVITY_FLUSH_SECONDS = 0.05
    log = ActivityLog()
    for i in range(3):
        log.record(record_fields(acme_connection.connection.pk, f"/Users/{i}"))

    deadline = time.monotonic() + 5
    while ScimRequest.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    log.close()
    assert paths() == ["/Users/0", "/Users/1", "/Users/2"]

    settings.SCIM_ACTIVITY_FLUSH_SECONDS = 60
    batch = ActivityLog()
    for i in range(50):
        batch.record(record_fields(acme_connection.connection.pk, f"/Groups/{i}"))
    with CaptureQueriesContext(connection) as queries:
        assert batch.flush() == 50
    assert written_as_one_batch(queries)
    assert ScimRequest.objects.count() == 53


def test_a_batched_record_keeps_every_value_and_fills_in_the_defaults(acme_connection, acme):
    from employees.models import Employee
    from integrations.services import scim_requests_record

    employee = Employee.objects.create(
        organization=acme, email="ada@acme.example", username="ada@acme.example"
    )
    fields = {
        **record_fields(acme_connection.connection.pk, '/Users?filter=userName eq "ada@acme.example"'),
        "token": acme_connection.connection.tokens.get(),
        "outcome": ScimRequest.Outcome.CLIENT_ERROR,
        "operation": ScimRequest.Operation.UPDATE,
        "resource_id": str(employee.pk),
        "employee_id": employee.pk,
        "detail": "Ünïcode, 'quotes', \\backslash\\ and a\ttab",
    }
    partial = {
        key: fields[key]
        for key in ("connection_id", "created_at", "method", "path", "status_code", "outcome")
    }
    scim_requests_record([fields, partial])
    full, defaults = ScimRequest.objects.order_by("pk")
    assert (full.token, full.outcome, full.operation, full.employee_id, full.detail) == (
        fields["token"],
        "client_error",
        "update",
        employee.pk,
        fields["detail"],
    )
    assert full.path == '/Users?filter=userName eq "a***@acme.example"'
    assert (defaults.operation, defaults.token, defaults.employee_id, defaults.duration_ms) == (
        "other",
        None,
        None,
        0,
    )


def test_a_record_whose_connection_is_gone_does_not_hold_back_the_others(acme_connection, settings):
    settings.SCIM_ACTIVITY_FLUSH_SECONDS = 60
    log = ActivityLog()
    log.record(record_fields(acme_connection.connection.pk, "/Users/kept"))
    log.record(record_fields(987_654_321, "/Users/orphan"))
    log.record(record_fields(acme_connection.connection.pk, "/Users/also-kept"))

    assert log.flush() == 2
    assert paths() == ["/Users/also-kept", "/Users/kept"]
    assert log.flush() == 0  # the orphan was dropped, not retried forever


def test_records_wait_while_the_database_refuses_them_and_are_written_later(acme_connection, settings):
    settings.SCIM_ACTIVITY_FLUSH_SECONDS = 60
    log = ActivityLog()
    log.record(record_fields(acme_connection.connection.pk, "/Users/1"))
    table = ScimRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        assert log.flush() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    log.record(record_fields(acme_connection.connection.pk, "/Users/2"))

    assert log.flush() == 2
    assert paths() == ["/Users/1", "/Users/2"]
