"""Retention of the SCIM activity record: rows older than each organization's setting go.

Deleted in batches of primary keys, each batch its own short transaction (autocommit): a DELETE
takes row locks only on its batch, so the request writers' INSERTs (integrations.activity_log)
never wait behind one long purge, and a killed purge loses nothing but its current batch. The
rows are found through the (connection, created_at) index.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from employees.models import Organization

from .models import ActivityRetention, Connection, ScimRequest


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    batches: int


def retention_days(*, organization: Organization) -> int:
    row = ActivityRetention.objects.filter(organization=organization).first()
    return row.days if row else settings.SCIM_ACTIVITY_RETENTION_DAYS


@transaction.atomic
def retention_set(*, organization: Organization, days: int, actor=None) -> int:
    if not ActivityRetention.MIN_DAYS <= days <= ActivityRetention.MAX_DAYS:
        raise ValidationError(
            f"Keep activity between {ActivityRetention.MIN_DAYS} and {ActivityRetention.MAX_DAYS} days."
        )
    before = retention_days(organization=organization)
    ActivityRetention.objects.update_or_create(organization=organization, defaults={"days": days})
    if before != days:
        audit_record(
            action="activity.retention_changed",
            organization=organization,
            actor=actor,
            target=organization,
            before={"retention_days": before},
            after={"retention_days": days},
        )
    return days


def _connections_by_retention() -> dict[int, list[int]]:
    """Connection ids (deleted ones too: their record ages out as well) grouped by retention days."""
    custom = dict(ActivityRetention.objects.values_list("organization_id", "days"))
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, organization_id in Connection.objects.values_list("pk", "organization_id"):
        groups[custom.get(organization_id, settings.SCIM_ACTIVITY_RETENTION_DAYS)].append(pk)
    return groups


def activity_purge(
    *,
    now: datetime.datetime | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> PurgeResult:
    """Delete expired activity, `batch_size` rows per transaction, at most `max_batches` batches
    (the next run continues). `after_batch` is called between batches (tests observe them)."""
    now = now or timezone.now()
    batch_size = batch_size or settings.SCIM_ACTIVITY_PURGE_BATCH_SIZE
    max_batches = max_batches or settings.SCIM_ACTIVITY_PURGE_MAX_BATCHES
    deleted = batches = 0
    for days, connection_ids in sorted(_connections_by_retention().items()):
        cutoff = now - datetime.timedelta(days=days)
        for connection_id in connection_ids:
            expired = ScimRequest.objects.filter(connection_id=connection_id, created_at__lt=cutoff)
            while batches < max_batches:
                ids = list(expired.order_by("created_at", "id").values_list("id", flat=True)[:batch_size])
                if not ids:
                    break
                with transaction.atomic():
                    count, _ = ScimRequest.objects.filter(id__in=ids).delete()
                deleted += count
                batches += 1
                if after_batch is not None:
                    after_batch(count)
                if len(ids) < batch_size:
                    break
    return PurgeResult(deleted=deleted, batches=batches)
