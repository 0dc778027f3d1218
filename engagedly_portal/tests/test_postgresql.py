"""The PostgreSQL backend's timestamp decoder reads what Django's own loader reads."""

from datetime import UTC

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.utils import timezone as django_timezone

from employees.models import Organization
from engagedly_portal.postgresql.base import UtcTimestamptzLoader

TIMESTAMPTZ_OID = 1184


class DjangosLoader(BaseTzLoader):
    timezone = UTC


@pytest.mark.parametrize(
    "text",
    [
        b"2026-11-28 21:06:31.856249+00",
        b"2026-11-28 21:06:31.85624+00",  # PostgreSQL drops trailing zeros of the fraction
        b"2026-11-28 21:06:31.8+00",
        b"2026-11-28 21:06:31+00",
        b"0001-01-01 00:00:00+00",
        b"2026-11-28 23:06:31.5+02",  # another offset: Django's loader decides
    ],
)
def test_utc_loader_reads_the_same_datetime_as_djangos(text):
    fast = UtcTimestamptzLoader(TIMESTAMPTZ_OID).load(memoryview(text))
    django = DjangosLoader(TIMESTAMPTZ_OID).load(memoryview(text))

    assert (fast, fast.tzinfo) == (django, django.tzinfo)
    assert fast.tzinfo is UTC


@pytest.mark.django_db
def test_timestamps_come_back_in_utc_from_the_database():
    created = Organization.objects.create(name="Acme", slug="acme")
    stored = Organization.objects.get(pk=created.pk)

    assert stored.created_at == created.created_at
    assert stored.created_at.tzinfo is UTC
    assert django_timezone.is_aware(stored.created_at)
    if connection.vendor == "postgresql":
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, 0)
        assert loader is UtcTimestamptzLoader
