"""Django's PostgreSQL backend, with a faster decoder for `timestamptz` values and a connection
health check that costs no round trip.

Django decodes every timestamp with psycopg's pure-Python loader (it subclasses it to attach its
own tzinfo), about 4 µs a value: a SCIM page of 100 users carries 200 timestamps, and decoding
them took more CPU than fetching everything else on the page. Django runs the session in UTC, so
PostgreSQL sends them as `2026-11-28 21:06:31.856249+00`, which `datetime.fromisoformat` (C)
reads into the same aware datetime, `datetime.timezone.utc` included. Anything else (another
offset, infinity, BC, years past 9999) goes to Django's loader as before.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before each request reuses it by
sending `SELECT 1`: a round trip and a statement on every request, about a tenth of a SCIM
lookup's database time. See DatabaseWrapper.is_usable for the check used instead.
"""

import functools
import select
from datetime import UTC, datetime

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import TransactionStatus


class UtcTimestamptzLoader(BaseTzLoader):
    # Django's create_cursor() compares this with the connection's time zone and, if they
    # differ, registers its own loader on the cursor instead.
    timezone = UTC

    def load(self, data):
        text = str(data, "ascii")
        if text.endswith("+00"):
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
        return super().load(data)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_cursor = None

    def kept_cursor(self):
        """connection.cursor() for a statement whose rows are read at once: one psycopg cursor, kept.

        A new psycopg cursor for every statement (its adapters, its time-zone check) was a
        noticeable part of a SCIM lookup's CPU. The hot statements (engagedly_portal.db and the
        compiled SCIM queries) execute and fetch everything before the next one starts, so one
        cursor per connection serves them all. Django's wrapper still goes around it (query
        logging and execute_wrappers see every statement), and the health check and reconnection
        happen as for connection.cursor(). Never close it (no `with`): it lives with the connection.
        It also keeps its adapters from one statement to the next (see _keeping_adapters).
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        kept = self._kept_cursor
        if kept is None or kept.closed or kept.connection is not self.connection:
            with self.wrap_database_errors:
                kept = self.create_cursor()
                kept.__class__ = _keeping_adapters(type(kept))
                self._kept_cursor = kept
        return self._prepare_cursor(kept)

    def init_connection_state(self):
        super().init_connection_state()  # sets the session's TimeZone to Django's
        if self.timezone == UTC and self.connection.info.parameter_status("TimeZone") == "UTC":
            self.connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)

    def is_usable(self):
        """Usable unless the server has closed the connection or spoken since it went idle.

        An idle connection receives nothing until it sends a query, except when the server ends
        it: a restart, pg_terminate_backend or idle_session_timeout first send a FATAL notice and
        close the socket, which makes it readable. So an idle socket with nothing to read is
        usable, and any other state (something to read, a transaction left open, a closed or
        broken connection) gets Django's `SELECT 1`, which reads what arrived and fails when the
        connection is gone. A peer that vanished without closing (a cut network) is caught by
        neither check before the first query times out.
        """
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.pgconn.transaction_status == TransactionStatus.IDLE:
            try:
                readable, _, _ = select.select([connection.fileno()], [], [], 0)
            except (OSError, ValueError):
                return False
            if not readable:
                return True
        return super().is_usable()


@functools.cache
def _keeping_adapters(cursor_class):
    """The cursor class with one change: its adapters outlive a statement.

    A psycopg cursor builds a new Transformer (the cache of its value dumpers and row loaders)
    for each statement unless the statement repeats the previous one exactly, and then a new
    loader for each column of the first row set: the kept cursor, which alternates between a
    request's statements (a PUT's SELECT and UPDATE, one request's lookup and the next one's
    read by id), spent about 15 µs a statement on it. What the Transformer caches depends only
    on the connection's adapters and each value's type or column's type, never on the
    statement, so it is kept: psycopg reuses it the same way for a repeated statement, which is
    what the cursor is told it runs. The layout is the class's own (no new slots), so the
    cursor Django created can take it.
    """

    class KeepingAdapters(cursor_class):
        __slots__ = ()

        def _start_query(self, query=None):
            if query is not None and self._last_query is not None:
                self._last_query = query  # the statement is new; what was adapted stays
            return super()._start_query(query)

    KeepingAdapters.__name__ = KeepingAdapters.__qualname__ = f"KeepingAdapters{cursor_class.__name__}"
    return KeepingAdapters
