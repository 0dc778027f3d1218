from django import forms

from .actions import action_label


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label="Who",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
        error_messages={"max_length": "Use at most 200 characters."},
    )
    action = forms.ChoiceField(label="Action", required=False)
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    FILTERS = ("actor", "action", "date_from", "date_to")

    def __init__(self, data, *, actions: list[str]):
        super().__init__(data)
        self.fields["action"].choices = [("", "All actions")] + [(a, action_label(a)) for a in actions]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict:
        """Valid filters only: a bad value is shown as the field's error and not applied."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.FILTERS}

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.FILTERS)
