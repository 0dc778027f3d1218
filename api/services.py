"""Writes for personal API keys. A key acts as its owner, so only admins may hold one."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from employees.models import Employee

from .models import KEY_PREFIX, LOOKUP_LENGTH, ApiKey

MAX_LIVE_KEYS = 10
# Last use is shown to the minute; writing it on every request would add an UPDATE to each call.
LAST_USE_RESOLUTION = datetime.timedelta(seconds=60)


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str  # shown once, never stored


class ApiKeyRefused(Exception):
    """A presented key that exists but may not be used; the message says why (the caller holds it)."""


def may_hold_api_keys(employee: Employee) -> bool:
    return employee.may_manage_integrations


@transaction.atomic
def api_key_create(
    *, employee: Employee, name: str, expires_at: datetime.datetime | None = None
) -> IssuedApiKey:
    if not may_hold_api_keys(employee):
        raise PermissionDenied("Only organization admins and integration admins can create API keys.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the key."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose a time in the future."})
    # Locks the owner's row so two concurrent creates cannot both pass the count.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    live = ApiKey.objects.filter(employee=employee, revoked_at__isnull=True).count()
    if live >= MAX_LIVE_KEYS:
        raise ValidationError(f"You can have at most {MAX_LIVE_KEYS} keys. Revoke one first.")
    api_key = ApiKey(employee=employee, name=name, expires_at=expires_at)
    plaintext = api_key.set_secret()
    api_key.save()
    return IssuedApiKey(api_key=api_key, plaintext=plaintext)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, plaintext: str) -> ApiKey | None:
    """The key for this plaintext with its owner loaded, None if there is none.

    Raises ApiKeyRefused for a key that exists but is revoked, expired or owned by someone who is
    deactivated or no longer signs in: the owner is read on every request, so a deactivation stops
    the key at once.
    """
    if not plaintext.startswith(KEY_PREFIX):
        return None
    lookup = plaintext[len(KEY_PREFIX) : len(KEY_PREFIX) + LOOKUP_LENGTH]
    api_key = (
        ApiKey.objects.select_related("employee__organization", "employee__user")
        .filter(lookup=lookup)
        .first()
    )
    if api_key is None or not api_key.matches(plaintext):
        return None
    employee = api_key.employee
    if api_key.is_revoked:
        raise ApiKeyRefused("This API key has been revoked.")
    if api_key.is_expired:
        raise ApiKeyRefused("This API key has expired.")
    if not employee.is_active or employee.user is None or not employee.user.is_active:
        raise ApiKeyRefused("The owner of this API key is deactivated.")
    _record_use(api_key)
    return api_key


def _record_use(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USE_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
