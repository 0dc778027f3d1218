"""Identity-provider connections, their SCIM tokens, and the record of every SCIM request."""

import hashlib
import hmac
import secrets
from http import HTTPStatus

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
        from .providers import DEFAULT, PROVIDERS

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


class ScimRequest(models.Model):
    """One SCIM request as the settings page and support staff see it: no bodies, emails masked."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        CLIENT_ERROR = "client_error", "Client error"
        SERVER_ERROR = "server_error", "Server error"

    class Operation(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DEACTIVATE = "deactivate", "Deactivate"
        REACTIVATE = "reactivate", "Reactivate"
        LOOKUP = "lookup", "Lookup"
        GROUP = "group", "Group"
        DISCOVERY = "discovery", "Discovery"
        BACKGROUND = "background", "Background"
        OTHER = "other", "Other"

    # No index of its own: scimrequest_conn_time starts with it, and serves the connection's
    # lookups and its cascade; one index fewer to update on every request's record.
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="requests", db_index=False
    )
    token = models.ForeignKey(
        ConnectionToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    created_at = models.DateTimeField(db_index=False)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    operation = models.CharField(max_length=16, choices=Operation.choices, default=Operation.OTHER)
    resource_id = models.CharField(max_length=64, blank=True)
    # Indexed by scimrequest_employee_time (which also serves SET_NULL when an employee is deleted).
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    detail = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # Whom a request concerned when no employee is linked to it (a create that was refused): the
    # userName it attempted, masked for display, and its keyed digest (scim.activity.person_digest)
    # so an admin who types the address finds the row. The address itself is never stored.
    subject = models.CharField(max_length=254, blank=True)
    subject_digest = models.CharField(max_length=64, blank=True)
    # The attribute paths the request's body carried (integrations.scim.received), never values.
    attributes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["connection", "-created_at"], name="scimrequest_conn_time"),
            # An employee's sync history on their profile; most rows concern someone, lookups do not.
            models.Index(
                fields=["employee", "-created_at"],
                condition=models.Q(employee__isnull=False),
                name="scimrequest_employee_time",
            ),
            models.Index(
                fields=["connection", "subject_digest"],
                condition=~models.Q(subject_digest=""),
                name="scimrequest_conn_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"

    @property
    def status_phrase(self) -> str:
        """`401 Unauthorized`, `409 Conflict`: what the IdP was told, in words an admin can act on."""
        try:
            return f"{self.status_code} {HTTPStatus(self.status_code).phrase}"
        except ValueError:
            return str(self.status_code)

    @property
    def refused(self) -> bool:
        """Refused before the request was looked at: no valid token, or provisioning not enabled."""
        return self.status_code in (401, 403)


class AlertPreference(models.Model):
    """One person's choice of alert emails; without a row, everything is sent."""

    employee = models.OneToOneField(
        Employee, primary_key=True, on_delete=models.CASCADE, related_name="alert_preference"
    )
    alerts = models.BooleanField("email me when a connection needs attention", default=True)
    digest = models.BooleanField("email me a weekly digest", default=True)

    def __str__(self) -> str:
        return f"{self.employee_id}: alerts={self.alerts} digest={self.digest}"


class AlertState(models.Model):
    """Per organization and alert key ("failing:12", "digest"): is the condition active (an alert
    was sent for this episode), and when the last alert went out (at most one an hour)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    active = models.BooleanField(default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="alertstate_org_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.key}"


class ActivityRetention(models.Model):
    """How long an organization keeps its SCIM activity record; without a row, the default
    (settings.SCIM_ACTIVITY_RETENTION_DAYS)."""

    MIN_DAYS = 7
    MAX_DAYS = 730

    organization = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="activity_retention"
    )
    days = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.days} days"


class DeactivationBrake(models.Model):
    """An organization's brake on deactivations from provisioning (Settings > Integrations).

    Without a row the defaults apply: on, the larger of 10 and 10% of active employees, 60 minutes.
    """

    organization = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="deactivation_brake"
    )
    enabled = models.BooleanField(default=True)
    # None: the larger of DEFAULT_THRESHOLD and a tenth of the active employees.
    threshold = models.PositiveIntegerField(null=True, blank=True)
    window_minutes = models.PositiveIntegerField(default=60)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Deactivation brake of {self.organization_id}"


class ProvisionedDeactivation(models.Model):
    """A deactivation a connection asked for: applied at once, or held for an admin's decision."""

    class State(models.TextChoices):
        APPLIED = "applied", "Applied"
        HELD = "held", "Held"
        APPROVED = "approved", "Applied by an admin"
        KEPT = "kept", "Kept active by an admin"
        RELEASED = "released", "Reactivated by the identity provider"

    class Reason(models.TextChoices):
        NONE = "", "Below the threshold"
        THRESHOLD = "threshold", "The brake tripped"
        LAST_ADMIN = "last_admin", "The organization's last active admin"
        SUPPORT_STAFF = "support_staff", "Holds support-staff rights"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="deactivations", db_index=False
    )
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    # Which request asked for it, as the activity shows it: "PATCH /Users/42".
    request = models.CharField(max_length=200, blank=True)
    # A DELETE: the person is hidden from the provider while the deactivation is held.
    deleted = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["connection", "created_at"], name="deactivation_conn_time")]
        constraints = [
            # At most one held deactivation per person; SCIM reads look it up by employee.
            models.UniqueConstraint(
                fields=["employee"], condition=models.Q(state="held"), name="deactivation_one_held"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.employee_id} by {self.connection_id}"


class GuardDecision(models.Model):
    """Who decided what about held deactivations and ownership, when, and for how many people."""

    class Action(models.TextChoices):
        APPLY = "apply", "Applied held deactivations"
        KEEP = "keep", "Kept people active"
        RESET = "reset", "Reset the brake"
        PROVIDER_RELEASE = "provider_release", "The identity provider reactivated held people"
        MOVE = "move", "Moved an employee to another connection"
        RELEASE = "release", "Released an employee from its connection"
        BRAKE_SETTINGS = "brake_settings", "Changed the deactivation brake"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="guarddecision_org_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.count})"
