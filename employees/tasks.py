"""Background work for the HR domain. Tasks take ids, call a service, own the retry policy."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, retry_backoff=True, retry_backoff_max=300)
def apply_deactivation(self, employee_id: int) -> bool:
    try:
        return services.employee_apply_deactivation(employee_id=employee_id)
    except Exception as exc:  # retried with backoff; the periodic sweep is the last resort
        logger.warning("Deactivation of employee %s failed, retrying: %s", employee_id, exc)
        raise self.retry(exc=exc) from exc


def enqueue_deactivation(employee_id: int) -> None:
    """Queue the deactivation effects; if the broker is unreachable, the sweep picks it up."""
    try:
        apply_deactivation.delay(employee_id)
    except Exception:  # broker down: the database still records the pending work
        logger.warning("Could not enqueue deactivation of employee %s; the sweep will retry.", employee_id)
