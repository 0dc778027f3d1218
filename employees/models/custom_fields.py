"""Custom profile fields an organization defines; the values live on the employee."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from .people import Organization


class CustomField(models.Model):
    """A profile field an organization defines for its employees; values live in Employee.custom_values."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes / no"
        CHOICE = "choice", "Single choice"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="custom_fields", db_index=False
    )
    # Also the attribute's name in the SCIM schema extension, hence RFC 7643 §2.1's ATTRNAME rule.
    key = models.CharField(
        max_length=64,
        validators=[
            RegexValidator(
                r"^[A-Za-z][A-Za-z0-9_-]*$",
                "Start with a letter; use only letters, digits, hyphens and underscores.",
            )
        ],
        help_text="A short name for identity providers and exports, such as costCenter.",
    )
    label = models.CharField(max_length=100)
    help_text = models.CharField(max_length=300, blank=True)
    field_type = models.CharField("type", max_length=16, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Archived fields leave forms and schemas; their stored values stay until the field is deleted.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("key"), "organization", name="customfield_key_unique_per_org_ci")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
