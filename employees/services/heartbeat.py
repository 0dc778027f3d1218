"""Heartbeats of the background machinery: one row per kind, overwritten (see BackgroundHeartbeat)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import BackgroundHeartbeat


def background_heartbeat_record(*, kind: str, seen_by: str) -> None:
    """Record that a worker (or beat) is alive now: one UPDATE, an INSERT the first time."""
    now = timezone.now()
    if BackgroundHeartbeat.objects.filter(kind=kind).update(seen_at=now, seen_by=seen_by[:255]):
        return
    try:
        with transaction.atomic():
            BackgroundHeartbeat.objects.create(kind=kind, seen_at=now, seen_by=seen_by[:255])
    except IntegrityError:  # another process inserted it first
        BackgroundHeartbeat.objects.filter(kind=kind).update(seen_at=now, seen_by=seen_by[:255])
