"""The deactivation brake, the deactivations it holds, and the decisions about them."""

from django.conf import settings
from django.db import models

from employees.models import Employee, Organization

from .connections import Connection


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
