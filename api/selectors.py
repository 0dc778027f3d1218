"""Reads for personal API keys."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from employees.models import Employee

from .models import ApiKey


def api_key_list(*, employee: Employee) -> QuerySet[ApiKey]:
    """The owner's keys, newest first, revoked ones included (for the record)."""
    return ApiKey.objects.filter(employee=employee).order_by("-created_at", "-id")


def api_key_get(*, employee: Employee, pk: int) -> ApiKey:
    """The owner's key, or 404: nobody else's keys exist here, not even a colleague's."""
    return get_object_or_404(ApiKey, employee=employee, pk=pk)
