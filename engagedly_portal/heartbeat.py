"""The worker's heartbeat: while it is connected to the broker, a worker records that it is alive.

A Celery consumer bootstep (Celery's documented extension point): started once the consumer is
connected and consuming, stopped when the connection is lost (and started again on reconnection),
so "seen" means "able to take work", not merely "a process exists". Every
WORKER_HEARTBEAT_SECONDS it overwrites one database row (employees.BackgroundHeartbeat), which
the health probe reads: no worker seen for a minute is a failing probe.
"""

import logging

from celery import bootsteps
from django.conf import settings

logger = logging.getLogger(__name__)


def _record(seen_by: str) -> None:
    from django.db import close_old_connections

    from employees.services import background_heartbeat_record

    try:
        close_old_connections()  # a connection the database ended (a restart) is replaced
        background_heartbeat_record(kind="worker", seen_by=seen_by)
    except Exception:  # the database is away: the missing heartbeat is the signal
        logger.warning("Could not record the worker heartbeat.", exc_info=True)


class WorkerHeartbeat(bootsteps.StartStopStep):
    # After the consumer has connected and started consuming the queues.
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, parent):
        self.stop(parent)
        seen_by = parent.hostname
        _record(seen_by)
        self.timer_entry = parent.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, _record, (seen_by,), priority=10
        )

    def stop(self, parent):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def shutdown(self, parent):
        self.stop(parent)
