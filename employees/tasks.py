"""Background work for the HR domain. Tasks take ids, call a service, own the retry policy.

Every task is idempotent: the database is the source of truth, so a message delivered twice
(a worker killed mid-task, the sweep re-enqueueing work whose message was merely slow) changes
nothing the second time. Messages are enqueued with transaction.on_commit; when Redis is
unreachable the publish fails fast, the write still succeeds, and sweep_pending_work enqueues
the work once Redis is back.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import selectors, services

logger = logging.getLogger(__name__)

# Retried with exponential backoff and jitter (1 s, 2 s, 4 s ... capped); after the last retry
# the sweep is the safety net. Short explicit time limits: each task touches a handful of rows.
RETRY_POLICY = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (Exception,),
    "max_retries": 8,
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "time_limit": 30,
    "soft_time_limit": 25,
}


@shared_task(**RETRY_POLICY)
def apply_deactivation(self, employee_id: int) -> bool:
    return services.employee_apply_deactivation(employee_id=employee_id)


@shared_task(**RETRY_POLICY)
def resolve_manager_links(self, employee_id: int) -> int:
    """After an employee is created or changes email or manager: link their own manager, then
    every report that was provisioned first and waits for their email."""
    services.employee_resolve_manager_link(employee_id=employee_id)
    return services.employee_resolve_waiting_reports(employee_id=employee_id)


@shared_task(**RETRY_POLICY)
def resolve_manager_link(self, employee_id: int) -> str:
    return services.employee_resolve_manager_link(employee_id=employee_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def sweep_pending_work() -> dict[str, int]:
    """Re-enqueue unfinished work whose message may be lost, in bounded batches (beat, every ~30 s)."""
    cutoff = timezone.now() - timedelta(seconds=settings.BACKGROUND_SWEEP_GRACE_SECONDS)
    limit = settings.BACKGROUND_SWEEP_BATCH_SIZE
    deactivations = selectors.deactivations_pending(before=cutoff, limit=limit)
    links = selectors.manager_links_resolvable(before=cutoff, limit=limit)
    for employee_id in deactivations:
        apply_deactivation.delay(employee_id)
    for employee_id in links:
        resolve_manager_link.delay(employee_id)
    if deactivations or links:
        logger.info(
            "Sweep re-enqueued %s deactivations and %s manager links.", len(deactivations), len(links)
        )
    return {"deactivations": len(deactivations), "manager_links": len(links)}


def _publish(task, employee_id: int) -> None:
    try:
        task.delay(employee_id)
    except Exception:  # broker down: the database still records the pending work
        logger.warning("Could not enqueue %s for employee %s; the sweep will retry.", task.name, employee_id)


def enqueue_deactivation(employee_id: int) -> None:
    """Queue the deactivation effects; if the broker is unreachable, the sweep picks it up."""
    _publish(apply_deactivation, employee_id)


def enqueue_manager_links(employee_id: int) -> None:
    """Queue manager-link resolution around this employee; if the broker is unreachable, the sweep does."""
    _publish(resolve_manager_links, employee_id)
