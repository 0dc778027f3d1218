from django import forms

from engagedly_portal.forms import FilterForm

from .actions import action_label


class AuditFilterForm(FilterForm):
    actor = forms.CharField(
        label="Who",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
        error_messages={"max_length": "Use at most 200 characters."},
    )
    action = forms.ChoiceField(label="Action", required=False)

    FILTERS = ("actor", "action", "date_from", "date_to")

    def __init__(self, data, *, actions: list[str]):
        super().__init__(data)
        self.fields["action"].choices = [("", "All actions")] + [(a, action_label(a)) for a in actions]
