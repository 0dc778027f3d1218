"""The audit trail: who did what to an organization's settings, connections, tokens and people.

A small model of our own rather than django-auditlog or django-simple-history: those record
every save of a registered model through signals (a row per model change, the actor taken
from a middleware's thread-local). What admins and support staff need is the *action* as the
product names it ("turned the integration off", "revoked token engscim_ab…", "held 40
deactivations"), including actions that change no row of their own, the actor named by name and
email as they were at the time, and the organization it concerned; the house style keeps such
flows in services, not in signals. One table, one service function (audit.services.audit_record).
"""

from django.conf import settings
from django.db import models

from employees.models import Organization


class AuditEvent(models.Model):
    class ActorKind(models.TextChoices):
        ADMIN = "admin", "Organization admin"
        SUPPORT = "support", "Support staff"
        SYSTEM = "system", "System"

    # Null for events that concern no single organization; kept when the organization goes
    # away would be ideal, but an organization's trail is its own data and leaves with it.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The account, while it exists; the name and email as they were when the action was taken.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.SYSTEM)
    # Dotted names, e.g. "connection.created"; audit.actions labels the known ones.
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'System'}: {self.action}"

    @property
    def action_label(self) -> str:
        from .actions import action_label

        return action_label(self.action)

    @property
    def actor_display(self) -> str:
        if not self.actor_name and not self.actor_email:
            return "System"
        if self.actor_email and self.actor_email != self.actor_name:
            return f"{self.actor_name} <{self.actor_email}>" if self.actor_name else self.actor_email
        return self.actor_name

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field either side names, in a stable order."""
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return [(key, self.before.get(key), self.after.get(key)) for key in keys]
