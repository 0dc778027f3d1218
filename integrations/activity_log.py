"""SCIM activity records, written behind the requests in batches.

Every SCIM request leaves a ScimRequest row (the connection page's activity, status and "last
used"). A request only appends the record to this process's queue; a daemon thread writes
whatever has gathered every SCIM_ACTIVITY_FLUSH_SECONDS as one multi-row INSERT, committed
without waiting for the WAL flush. The records are a log, not domain state: batching them keeps
an INSERT and a commit out of every SCIM request.

What that trades, on purpose: the activity list shows a request up to one interval late, and a
process killed outright (SIGKILL, a machine crash) loses the records of its last interval, as
the asynchronous commit already allowed for a database crash. A graceful stop loses nothing:
gunicorn's worker_exit hook (gunicorn.conf.py) and atexit flush the queue. Domain writes never
go through here.
"""

import atexit
import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection

from engagedly_portal.optional_redis import redis_call, redis_client

from .services import scim_requests_record

logger = logging.getLogger(__name__)

# About a minute of records at full speed; beyond it (the database has been unreachable that
# long) new records are dropped and counted rather than growing the worker without bound.
MAX_PENDING = 50_000
# The dropped-record counter shared by every web process (since Redis last started), for health.
DROPPED_KEY = "integrations:scim-activity-dropped"


class ActivityLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pid = 0
        self.dropped = 0
        self._dropped_published = 0

    def record(self, fields: dict) -> None:
        interval = settings.SCIM_ACTIVITY_FLUSH_SECONDS
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self.dropped += 1
                if self.dropped % 1000 == 1:
                    logger.error("SCIM activity queue full; %d records dropped so far.", self.dropped)
                return
            self._pending.append(fields)
            self._ensure_writer(interval)

    def flush(self) -> int:
        """Write every queued record now; return how many were written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            scim_requests_record(batch)
            return len(batch)
        except IntegrityError:
            # A record whose connection no longer exists (its organization was deleted since):
            # write the others one by one so one bad row cannot hold back the rest.
            return self._write_one_by_one(batch)
        except DatabaseError:
            logger.warning("SCIM activity not written yet (%d records); retrying.", len(batch))
            connection.close()  # the next attempt opens a fresh connection
            with self._lock:
                room = MAX_PENDING - len(self._pending)
                self._pending[:0] = batch[:room]
                self.dropped += max(0, len(batch) - room)
            return 0

    def discard(self) -> int:
        """Drop what is queued, unwritten (a test's records once its database is rolled back)."""
        with self._lock:
            dropped, self._pending = len(self._pending), []
        return dropped

    def _write_one_by_one(self, batch: list[dict]) -> int:
        written = 0
        for fields in batch:
            try:
                scim_requests_record([fields])
                written += 1
            except DatabaseError:
                logger.exception("SCIM activity record dropped: %s %s", fields["method"], fields["path"])
        return written

    def _ensure_writer(self, interval: float) -> None:
        # Per process: a forked child (a gunicorn worker of a preloaded app) starts its own.
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(interval, self._stop), name="scim-activity", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            try:
                self.flush()
            except Exception:  # the writer must outlive any single failure
                logger.exception("SCIM activity writer failed")
            close_old_connections()
            self._publish_dropped()
        connection.close()

    def _publish_dropped(self) -> None:
        """Add the records dropped since the last report to the counter all processes share.

        In Redis, not the database: records are dropped because the database has been away. The
        writer thread does it, never a request; without Redis the count stays in this process.
        """
        delta = self.dropped - self._dropped_published
        if delta <= 0 or not settings.REDIS_URL:
            return
        if redis_call(lambda: redis_client().incrby(DROPPED_KEY, delta), None, "count dropped activity"):
            self._dropped_published += delta

    def close(self) -> None:
        """Stop the writer thread and write what is left (process exit)."""
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=5)
        self.flush()


activity_log = ActivityLog()
atexit.register(activity_log.close)


def activity_records_dropped() -> int | None:
    """Records dropped by every process (the shared counter) plus this process's not yet added; with
    no Redis, this process's alone. None when Redis does not answer."""
    unpublished = activity_log.dropped - activity_log._dropped_published
    if not settings.REDIS_URL:
        return activity_log.dropped
    shared = redis_call(lambda: int(redis_client().get(DROPPED_KEY) or 0), None, "read dropped activity")
    return None if shared is None else shared + unpublished
