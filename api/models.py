"""Personal API keys: an admin's key for the REST API, acting as that admin."""

import hmac
import secrets

from django.db import models
from django.utils import timezone

from employees.models import Employee
from integrations.models import token_digest

KEY_PREFIX = "engapi_"
LOOKUP_LENGTH = 12


class ApiKey(models.Model):
    """`engapi_<lookup><rest>`, stored as the lookup part plus an HMAC digest, like SCIM tokens."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=LOOKUP_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{KEY_PREFIX}{self.lookup}…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def set_secret(self) -> str:
        """Generate a new secret, keep only its lookup part and digest, return the plaintext once."""
        body = secrets.token_urlsafe(32)
        plaintext = f"{KEY_PREFIX}{body}"
        self.lookup = body[:LOOKUP_LENGTH]
        self.digest = token_digest(plaintext)
        return plaintext

    def matches(self, plaintext: str) -> bool:
        return hmac.compare_digest(self.digest, token_digest(plaintext))
