"""Connections, their tokens, and which connection provisions which employee or team."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from employees.models import Employee, Organization, Team

TOKEN_PREFIX = "engscim_"
LOOKUP_LENGTH = 12


def new_public_id() -> str:
    return secrets.token_hex(10)


def token_digest(secret: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


class Connection(models.Model):
    class Provider(models.TextChoices):
        OKTA = "okta", "Okta"
        ENTRA = "entra", "Microsoft Entra ID"
        ONELOGIN = "onelogin", "OneLogin"
        JUMPCLOUD = "jumpcloud", "JumpCloud"
        OTHER = "scim", "Other SCIM 2.0"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(max_length=100)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.OKTA)
    # Appears in the SCIM base URL: /scim/v2/<public_id>/
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A deleted connection stops syncing at once; its employees stay as they are.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The deactivation brake (integrations.brake): tripped until an admin decides; deactivations
    # are counted from the later of the window's start and the last reset.
    brake_tripped_at = models.DateTimeField(null=True, blank=True)
    brake_reset_at = models.DateTimeField(null=True, blank=True)
    # The admin's changes to the default attribute mapping (integrations.scim.overrides): portal
    # field -> SCIM attribute path, "" for "not provisioned". On the connection's row, so the
    # token's query that every SCIM request makes loads it, at no statement of its own.
    attribute_mapping = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organization",
                condition=models.Q(deleted_at__isnull=True),
                name="connection_live_name_unique_per_org_ci",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def provider_info(self):
        """Its provider's name, setup steps and attribute table (integrations.providers)."""
        from ..providers import DEFAULT, PROVIDERS

        return PROVIDERS.get(self.provider) or PROVIDERS[DEFAULT]


class ProvisionedEmployee(models.Model):
    """The connection that provisions an employee: the one that created or linked them."""

    employee = models.OneToOneField(
        Employee, primary_key=True, on_delete=models.CASCADE, related_name="provisioning"
    )
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="provisioned")
    linked_at = models.DateTimeField(auto_now=True)
    # The employee fields the connection has sent a value for: read-only in the portal, and the
    # only ones a provider's absent value clears (integrations.ownership).
    provided_fields = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.employee_id} ← {self.connection}"


class ProvisionedTeam(models.Model):
    """The connection that pushed a team (a SCIM group)."""

    team = models.OneToOneField(Team, primary_key=True, on_delete=models.CASCADE, related_name="provisioning")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="provisioned_teams")

    def __str__(self) -> str:
        return f"{self.team_id} ← {self.connection}"


class ConnectionToken(models.Model):
    """A bearer token for one connection: `engscim_<lookup><rest>`, stored as lookup + HMAC digest."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="tokens")
    # The admin's own name for it ("Okta prod, rotated in May"): prefixes alone are hard to tell apart.
    label = models.CharField(max_length=100, blank=True)
    lookup = models.CharField(max_length=LOOKUP_LENGTH, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Optional: refused from this moment on; the integration admins are reminded a week before.
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{TOKEN_PREFIX}{self.lookup}…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def display_name(self) -> str:
        return f"{self.label} ({self})" if self.label else str(self)

    def set_secret(self) -> str:
        """Generate a new secret, keep only its lookup part and digest, return the plaintext once."""
        body = secrets.token_urlsafe(32)
        plaintext = f"{TOKEN_PREFIX}{body}"
        self.lookup = body[:LOOKUP_LENGTH]
        self.digest = token_digest(plaintext)
        return plaintext

    def matches(self, plaintext: str) -> bool:
        return hmac.compare_digest(self.digest, token_digest(plaintext))
