"""The background work's own record: when workers and beat were last seen."""

from django.db import models


class BackgroundHeartbeat(models.Model):
    """When a Celery worker, and the beat that schedules the sweep, were last seen: for monitors.

    One row per kind, overwritten: a worker writes every WORKER_HEARTBEAT_SECONDS while it is
    connected to the broker; the sweep, which only beat sends, writes "beat" each time it runs.
    """

    class Kind(models.TextChoices):
        WORKER = "worker", "Worker"
        BEAT = "beat", "Beat"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    seen_at = models.DateTimeField()
    seen_by = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} seen {self.seen_at:%Y-%m-%d %H:%M:%S} by {self.seen_by}"
