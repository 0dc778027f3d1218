"""Reads for connections, tokens and the SCIM activity record."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from employees.models import Organization

from .models import Connection


def connection_list(*, organization: Organization) -> QuerySet[Connection]:
    return Connection.objects.filter(organization=organization, deleted_at__isnull=True).select_related(
        "created_by__employee"
    )


def connection_get(*, organization: Organization, pk: int) -> Connection:
    """A live connection of this organization, or 404 (another organization's ids do not exist here)."""
    return get_object_or_404(Connection, organization=organization, pk=pk, deleted_at__isnull=True)
