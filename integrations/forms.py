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
