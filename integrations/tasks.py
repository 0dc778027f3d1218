"""Integration work in the background: alert checks, the weekly digest, activity retention, and
the email about held deactivations.

Thin tasks: beat runs a fan-out that enqueues one task per organization; each calls a service.
All are idempotent (alerts are claimed in the database, see integrations.alerts).
"""

from celery import shared_task

from employees.models import Organization

from . import alerts
from .notifications import held_deactivations_notify
from .retention import activity_purge

ORGANIZATION_TASK = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (Exception,),
    "max_retries": 5,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "time_limit": 60,
    "soft_time_limit": 50,
}


def _organizations_with_connections():
    return (
        Organization.objects.filter(provisioning_enabled=True, connections__deleted_at__isnull=True)
        .distinct()
        .values_list("pk", flat=True)
    )


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def check_alerts() -> int:
    """Beat: check every organization with a live connection."""
    organization_ids = list(_organizations_with_connections())
    for organization_id in organization_ids:
        check_organization_alerts.delay(organization_id)
    return len(organization_ids)


@shared_task(**ORGANIZATION_TASK)
def check_organization_alerts(self, organization_id: int) -> int:
    organization = Organization.objects.filter(pk=organization_id).first()
    return alerts.check_organization_alerts(organization=organization) if organization else 0


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def send_weekly_digests() -> int:
    organization_ids = list(_organizations_with_connections())
    for organization_id in organization_ids:
        send_organization_digest.delay(organization_id)
    return len(organization_ids)


@shared_task(**ORGANIZATION_TASK)
def send_organization_digest(self, organization_id: int) -> int:
    organization = Organization.objects.filter(pk=organization_id).first()
    return alerts.send_digest(organization=organization) if organization else 0


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def purge_activity() -> int:
    """Beat: delete SCIM activity past each organization's retention, in batches."""
    return activity_purge().deleted


# An email that fails (SMTP down) is retried with backoff; sending twice after a lost
# acknowledgement is the lesser evil than not telling the admins at all.
@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    max_retries=8,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    time_limit=60,
    soft_time_limit=50,
)
def notify_deactivations_held(self, connection_id: int, origin: str = "") -> int:
    return held_deactivations_notify(connection_id=connection_id, origin=origin)
