"""Background work of integrations. Tasks take ids, call a service, own the retry policy."""

from celery import shared_task

from .notifications import held_deactivations_notify


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
