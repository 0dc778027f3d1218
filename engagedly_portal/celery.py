"""Celery application. The broker is Redis (REDIS_URL); without it tasks run in-process."""

import os

from celery import Celery

from .heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagedly_portal.settings")

app = Celery("engagedly_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["consumer"].add(WorkerHeartbeat)


def queue_stats() -> dict:
    """Messages waiting in the default queue and messages taken but not yet acknowledged.

    Unacknowledged messages are tasks running now, or left by a worker that died (Redis
    redelivers them after the visibility timeout). None when tasks run in-process.
    """
    if app.conf.task_always_eager or not app.conf.broker_url.startswith(("redis://", "rediss://")):
        return {"queue": None, "queued": None, "unacknowledged": None}
    queue = app.conf.task_default_queue
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        # The AMQP queue declaration kombu answers with the message count (summed over the Redis
        # lists of its priority steps). Not passive: an empty queue has no Redis key, and declaring
        # one creates nothing in Redis.
        queued = channel.queue_declare(queue=queue).message_count
        unacknowledged = channel.client.hlen(channel.unacked_key)
    return {"queue": queue, "queued": queued, "unacknowledged": unacknowledged}
