"""Background work for the HR domain. Tasks take ids, call a service, own the retry policy.

Every task is idempotent: the database is the source of truth, so a message delivered twice
(a worker killed mid-task, the sweep re-enqueueing work whose message was merely slow) changes
nothing the second time. Messages are enqueued with transaction.on_commit; when Redis is slow or
unreachable nothing is published, the write still succeeds, and sweep_pending_work enqueues the
work once Redis is back.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from engagedly_portal.optional_redis import Write, marks_write, marks_write_soon, redis_call

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

# Organization runs (manager links, deactivations): how long a burst of writes gathers before its
# run starts, and how long the "run queued" mark lives at most (a few countdowns; if the queue is
# slower, a second run is queued, which finds little or nothing to do).
LINKS_RUN_COUNTDOWN = 0.4
DEACTIVATIONS_RUN_COUNTDOWN = 0.2
RUN_MARK_TTL = 2


@shared_task(**RETRY_POLICY)
def apply_organization_deactivations(self, organization_id: int) -> int:
    """Apply every deactivation of the organization that is marked but not yet applied."""
    # The mark goes before the read, as in resolve_organization_links.
    _run_unmark("deactivations", organization_id)
    outcome = services.organization_apply_deactivations(organization_id=organization_id)
    if outcome.more:
        enqueue_deactivations(organization_id)
    if outcome.error is not None:
        # The others are applied; a retry (backoff) finds only the employees that failed.
        raise outcome.error
    return outcome.applied


@shared_task(**RETRY_POLICY)
def resolve_organization_links(self, organization_id: int) -> int:
    """Resolve every pending manager link of the organization whose manager now exists."""
    # Forget the "queued" mark BEFORE reading the pending links, never after. A write that
    # commits before the read below is seen by this run; a write that commits after it finds
    # no mark, so its on-commit enqueue queues a fresh run that will see it. (A write landing in
    # between is seen here and queues one more run, which finds nothing to do: harmless.)
    # Clearing the mark at the end instead would lose the writes committed during the run.
    _run_unmark("links", organization_id)
    outcome = services.organization_resolve_manager_links(organization_id=organization_id)
    if outcome.more:
        enqueue_manager_links(organization_id)
    return outcome.resolved


@shared_task(bind=True, acks_late=True, time_limit=120, soft_time_limit=100)
def sweep_pending_work(self) -> dict[str, int]:
    """Re-enqueue unfinished work whose message may be lost, in bounded batches (beat, every few seconds).

    Only beat sends this task, and each message expires after one interval, so a sweep running
    now shows that beat was alive at most one interval ago: it records beat's heartbeat.
    """
    services.background_heartbeat_record(kind="beat", seen_by=self.request.hostname or "")
    cutoff = timezone.now() - timedelta(seconds=settings.BACKGROUND_SWEEP_GRACE_SECONDS)
    limit = settings.BACKGROUND_SWEEP_BATCH_SIZE
    deactivations = selectors.deactivation_organizations_pending(before=cutoff, limit=limit)
    organizations = selectors.manager_link_organizations_resolvable(before=cutoff, limit=limit)
    for organization_id in deactivations:
        apply_organization_deactivations.delay(organization_id)
    # Not coalesced: a lost message may have left its "queued" mark behind (it expires anyway).
    for organization_id in organizations:
        resolve_organization_links.delay(organization_id)
    if deactivations or organizations:
        logger.info(
            "Sweep re-enqueued deactivations of %s and manager links of %s organizations.",
            len(deactivations),
            len(organizations),
        )
    return {
        "deactivation_organizations": len(deactivations),
        "manager_link_organizations": len(organizations),
    }


def _publish(task, object_id: int, **options) -> bool:
    def publish() -> bool:
        task.apply_async((object_id,), **options)
        return True

    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker: the task runs here and now
        published = _without_redis(publish)
    else:  # broker down: the database records the pending work, and the sweep publishes it
        published = redis_call(publish, False, f"publish {task.name}")
    if published:
        return True
    logger.warning("Could not enqueue %s for %s; the sweep will.", task.name, object_id)
    return False


def _without_redis(publish) -> bool:
    try:
        return publish()
    except Exception:
        logger.exception("Could not run the task in-process.")
        return False


def enqueue_deactivations(organization_id: int) -> None:
    """Queue one run applying the organization's pending deactivations, unless one is queued.

    An identity provider deprovisioning a department deactivates dozens of employees a second;
    one run per burst applies them all, instead of a message per employee.
    """
    _coalesced_publish(
        apply_organization_deactivations, "deactivations", organization_id, DEACTIVATIONS_RUN_COUNTDOWN
    )


def enqueue_manager_links(organization_id: int) -> None:
    """Queue one manager-link run for the organization, unless one is already queued."""
    _coalesced_publish(resolve_organization_links, "links", organization_id, LINKS_RUN_COUNTDOWN)


def _run_key(kind: str, organization_id: int) -> str:
    # Per queue: deployments (or test runs) sharing one Redis each consume their own queue.
    return f"employees:{kind}-run-queued:{settings.CELERY_TASK_DEFAULT_QUEUE}:{organization_id}"


def _run_unmark(kind: str, organization_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    # When Redis does not answer, the mark expires on its own within RUN_MARK_TTL.
    marks_write(Write("delete", _run_key(kind, organization_id)))


def _coalesced_publish(task, kind: str, organization_id: int, countdown: float) -> None:
    """Publish an organization run, unless one is already queued and not yet started.

    A provisioning burst writes hundreds of employees a second; each write asks for a run, but
    while a run is queued and not yet started (a short-lived cache mark says so) it will see
    that write anyway, so no second one is queued. The countdown lets a burst gather into one
    run. In-process (no broker) the run happens at once. When Redis does not answer, nothing is
    published: the sweep finds the pending work in the database.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _publish(task, organization_id)
        return

    def publish(added) -> None:
        if added and not _publish(task, organization_id, countdown=countdown):
            _run_unmark(kind, organization_id)  # the next write tries again

    # The mark expires by itself, so a run whose message was lost blocks nothing for long. Written
    # with the request's other marks (optional_redis.one_round_trip).
    marks_write_soon(Write("add", _run_key(kind, organization_id), "1", RUN_MARK_TTL, then=publish))


@shared_task(**RETRY_POLICY)
def send_account_email(self, employee_id: int, kind: str, base_url: str) -> bool:
    """An invitation or password-reset email; SMTP failures are retried with backoff."""
    from .emails import account_email_send

    employee = selectors.employee_for_email(pk=employee_id)
    if employee is None:
        return False
    sent = account_email_send(employee=employee, kind=kind, base_url=base_url)
    if kind == "invitation":
        services.employee_invitation_done(employee_id=employee_id)
    return sent


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def resend_pending_invitations() -> int:
    """Re-enqueue invitations whose email has not gone out after the grace period (beat).

    A message lost with Redis would otherwise leave the person waiting for an email the admin
    was told was sent. The links need the portal's public origin: without PUBLIC_BASE_URL the
    sweep cannot build them and says so.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.BACKGROUND_SWEEP_GRACE_SECONDS)
    pending = selectors.invitations_unsent(before=cutoff, limit=settings.BACKGROUND_SWEEP_BATCH_SIZE)
    if pending and not settings.PUBLIC_BASE_URL:
        logger.warning("%s invitations wait to be sent; set PUBLIC_BASE_URL so the sweep can.", len(pending))
        return 0
    # Each re-sent invitation waits another grace period before the next sweep sends it again:
    # one still retrying with backoff (SMTP down) is not multiplied every sweep.
    services.employees_invitation_retry(employee_ids=pending)
    for employee_id in pending:
        send_account_email.delay(employee_id, "invitation", settings.PUBLIC_BASE_URL)
    if pending:
        logger.info("Sweep re-enqueued %s invitation emails.", len(pending))
    return len(pending)


def enqueue_account_email(employee_id: int, kind: str, base_url: str) -> bool:
    """Queue an account email; when the broker does not answer it is not sent (the admin can
    invite again, the person can ask for another reset link) and the request still succeeds."""

    def publish() -> bool:
        send_account_email.apply_async((employee_id, kind, base_url))
        return True

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return _without_redis(publish)
    published = redis_call(publish, False, "publish send_account_email")
    if not published:
        logger.warning("Could not enqueue the %s email for employee %s.", kind, employee_id)
    return published
