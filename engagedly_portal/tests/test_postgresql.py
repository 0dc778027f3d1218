"""The PostgreSQL backend: its timestamp decoder reads what Django's own loader reads, and its
connection health check needs no query yet notices a connection the server ended."""

import os
import time
from datetime import UTC, datetime

import dj_database_url
import psycopg
import pytest
from django.db import DatabaseError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone as django_timezone

from employees.models import Organization
from engagedly_portal.postgresql.base import UtcTimestamptzLoader

TIMESTAMPTZ_OID = 1184


class DjangosLoader(BaseTzLoader):
    timezone = UTC


@pytest.mark.parametrize(
    "text",
    [
        b"2026-11-28 21:06:31.856249+00",
        b"2026-11-28 21:06:31.85624+00",  # PostgreSQL drops trailing zeros of the fraction
        b"2026-11-28 21:06:31.8+00",
        b"2026-11-28 21:06:31+00",
        b"0001-01-01 00:00:00+00",
        b"2026-11-28 23:06:31.5+02",  # another offset: Django's loader decides
    ],
)
def test_utc_loader_reads_the_same_datetime_as_djangos(text):
    fast = UtcTimestamptzLoader(TIMESTAMPTZ_OID).load(memoryview(text))
    django = DjangosLoader(TIMESTAMPTZ_OID).load(memoryview(text))

    assert (fast, fast.tzinfo) == (django, django.tzinfo)
    assert fast.tzinfo is UTC


@pytest.mark.django_db
def test_timestamps_come_back_in_utc_from_the_database():
    created = Organization.objects.create(name="Acme", slug="acme")
    stored = Organization.objects.get(pk=created.pk)

    assert stored.created_at == created.created_at
    assert stored.created_at.tzinfo is UTC
    assert django_timezone.is_aware(stored.created_at)
    if connection.vendor == "postgresql":
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, 0)
        assert loader is UtcTimestamptzLoader


# The health check runs against a PostgreSQL server whatever database the suite itself uses:
# the one in DATABASE_URL when that is PostgreSQL, else the local server `make test` expects.
def _server_settings() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    parsed = dj_database_url.parse(url) if url.startswith("postgres") else {}
    return {
        "ENGINE": "engagedly_portal.postgresql",
        "NAME": "postgres",
        "USER": parsed.get("USER") or "postgres",
        "PASSWORD": parsed.get("PASSWORD") or "",
        "HOST": parsed.get("HOST") or "127.0.0.1",
        "PORT": parsed.get("PORT") or 5432,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


@pytest.fixture
def server_connection(django_db_blocker):
    # Its own connection to the server's maintenance database, outside the test database.
    handler = ConnectionHandler({"default": _server_settings()})
    wrapper = handler["default"]
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        yield wrapper
        wrapper.close()


def _backend_state(pid: int) -> tuple:
    with psycopg.connect(**_admin_params(), autocommit=True) as admin:
        return admin.execute(
            "SELECT state, query_start FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()


def _admin_params() -> dict:
    settings = _server_settings()
    return {
        "dbname": "postgres",
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }


def _server_ends(server_connection, pid: int) -> None:
    """The server ends the backend `pid`; returns once the connection's check can tell."""
    with psycopg.connect(**_admin_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while server_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_an_idle_connection_is_usable_without_a_statement(server_connection):
    pid = server_connection.connection.info.backend_pid
    before = _backend_state(pid)

    assert server_connection.is_usable() is True
    assert _backend_state(pid) == before  # no query ran: query_start unchanged


def test_a_connection_the_server_ended_is_not_usable_and_is_replaced(server_connection):
    pid = server_connection.connection.info.backend_pid
    _server_ends(server_connection, pid)

    assert server_connection.is_usable() is False
    # What Django does at the start of a request: the dead connection is dropped, a new one opens.
    server_connection.health_check_done = False
    server_connection.close_if_health_check_failed()
    with server_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert server_connection.connection.info.backend_pid != pid


def test_a_connection_left_in_a_transaction_is_checked_with_a_query(server_connection):
    server_connection.connection.execute("BEGIN")

    assert server_connection.is_usable() is True
    server_connection.connection.execute("ROLLBACK")


def test_the_kept_cursor_is_one_cursor_whose_statements_are_still_seen(server_connection):
    first = server_connection.kept_cursor()
    first.execute("SELECT 1")
    assert first.fetchall() == [(1,)]
    with CaptureQueriesContext(server_connection) as captured:
        second = server_connection.kept_cursor()
        second.execute("SELECT %s::int + 1", [41])
        assert second.fetchone() == (42,)

    assert second.cursor is first.cursor  # the same psycopg cursor under a new wrapper
    assert [query["sql"] for query in captured.captured_queries] == ["SELECT 41::int + 1"]


def test_the_kept_cursor_survives_a_failed_statement_and_follows_a_new_connection(server_connection):
    kept = server_connection.kept_cursor()
    with pytest.raises(DatabaseError):
        kept.execute("SELECT 1 / 0")
    again = server_connection.kept_cursor()
    again.execute("SELECT 2")
    assert again.fetchone() == (2,)

    pid = server_connection.connection.info.backend_pid
    _server_ends(server_connection, pid)
    server_connection.health_check_done = False  # a new request: the dead connection is replaced
    fresh = server_connection.kept_cursor()
    fresh.execute("SELECT 3")

    assert fresh.fetchone() == (3,)
    assert fresh.cursor is not kept.cursor
    assert server_connection.connection.info.backend_pid != pid


def test_the_kept_cursor_keeps_its_adapters_from_one_statement_to_another(server_connection):
    kept = server_connection.kept_cursor()
    kept.execute("SELECT %s::int, %s::timestamptz", [7, datetime(2026, 11, 29, 5, 6, 7, tzinfo=UTC)])
    assert kept.fetchall() == [(7, datetime(2026, 11, 29, 5, 6, 7, tzinfo=UTC))]
    adapters = kept.cursor._tx

    # Other statements, other types in the same positions: each value still goes and comes back
    # as its own type, through the same Transformer.
    kept.execute("SELECT %s::text, %s::int8, %s::bool", ["é", 2**40, True])
    assert kept.fetchall() == [("é", 2**40, True)]
    kept.execute("SELECT %s::timestamptz, NULL::int", [datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)])
    row = kept.fetchone()

    assert row == (datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), None) and row[0].tzinfo is UTC
    assert kept.cursor._tx is adapters
