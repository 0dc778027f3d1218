"""The SCIM activity record, its retention, and the alerts it feeds."""

from http import HTTPStatus

from django.db import models

from employees.models import Employee, Organization

from .connections import Connection, ConnectionToken


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
