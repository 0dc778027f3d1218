from django import forms

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


class ActivityFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "All outcomes"), *ScimRequest.Outcome.choices]
    )
    operation = forms.ChoiceField(
        label="Operation", required=False, choices=[("", "All operations"), *ScimRequest.Operation.choices]
    )

    def filters(self) -> dict[str, str]:
        """Valid filters only: a bad value in the query string shows everything rather than failing."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in ("outcome", "operation")}


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
