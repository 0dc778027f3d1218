import datetime

from django import forms
from django.utils import timezone

from engagedly_portal.forms import FilterForm

from .models import ScimRequest


class ConnectionForm(forms.Form):
    """The name only; uniqueness within the organization is checked by services.connection_create."""

    name = forms.CharField(
        label="Connection name",
        max_length=100,
        help_text="For your own reference, e.g. “Okta production”. At most 100 characters.",
        error_messages={
            "required": "Enter a name for the connection.",
            "max_length": "Use at most 100 characters (this one has %(show_value)d).",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class TokenForm(forms.Form):
    """A new token's optional label and expiry."""

    EXPIRY_CHOICES = [
        ("", "Never"),
        ("30", "In 30 days"),
        ("90", "In 90 days"),
        ("180", "In 180 days"),
        ("365", "In a year"),
    ]

    label = forms.CharField(
        label="Label",
        required=False,
        max_length=100,
        help_text="Optional, to tell tokens apart, e.g. “Okta prod, May rotation”.",
        error_messages={"max_length": "Use at most 100 characters for the label."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_in = forms.ChoiceField(
        label="Expires",
        required=False,
        choices=EXPIRY_CHOICES,
        help_text="We email the integration admins a week before.",
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


class ActivityFilterForm(FilterForm):
    q = forms.CharField(
        label="Person",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
        error_messages={"max_length": "Use at most 200 characters."},
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "All outcomes"), *ScimRequest.Outcome.choices]
    )
    operation = forms.ChoiceField(
        label="Operation", required=False, choices=[("", "All operations"), *ScimRequest.Operation.choices]
    )
    token = forms.TypedChoiceField(label="Token", required=False, coerce=int, empty_value=None)

    FILTERS = ("q", "outcome", "operation", "date_from", "date_to", "token")

    def __init__(self, data=None, *, tokens=()):
        super().__init__(data)
        self.fields["token"].choices = [("", "All tokens")] + [(t.pk, t.display_name) for t in tokens]


class BrakeForm(forms.Form):
    """Settings > Integrations: the deactivation brake of the organization."""

    enabled = forms.BooleanField(
        label="Hold mass deactivations for review",
        required=False,
        help_text="Protected people (the last admin, support staff) are always held.",
    )
    threshold = forms.IntegerField(
        label="Deactivations allowed per window",
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text="Empty: the larger of 10 and 10% of active employees.",
    )
    window_minutes = forms.IntegerField(
        label="Window (minutes)",
        min_value=1,
        max_value=7 * 24 * 60,
        help_text="A rolling window, per connection.",
    )

    @classmethod
    def for_brake(cls, data, *, brake) -> "BrakeForm":
        initial = {
            "enabled": brake.enabled,
            "threshold": brake.threshold,
            "window_minutes": brake.window_minutes,
        }
        return cls(data, initial=initial)


class HeldDecisionForm(forms.Form):
    """Apply or keep active: the ticked held deactivations, or all of them."""

    action = forms.ChoiceField(choices=[("apply", "Apply"), ("keep", "Keep active"), ("reset", "Reset")])
    scope = forms.ChoiceField(choices=[("selected", "Selected"), ("all", "All")], required=False)
    held = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data, *, held_ids: list[int]):
        super().__init__(data)
        self.fields["held"].choices = [(pk, pk) for pk in held_ids]

    def chosen(self) -> list[int] | None:
        """The ids to decide on, None for all."""
        if self.cleaned_data.get("scope") == "all":
            return None
        return self.cleaned_data["held"]


class AttributeMappingForm(forms.Form):
    """One SCIM attribute path per portal field (integrations.attributes.MappingRow); blank: none."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.field] = forms.CharField(
                label=row.label,
                required=False,
                max_length=300,
                initial=row.path,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def pairs(self):
        return [(row, self[row.field]) for row in self.rows]
