"""Form pieces shared by the portal's apps."""

from django import forms


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


class FilterForm(forms.Form):
    """A GET filter bar with a date range: subclasses add their fields and list FILTERS in order."""

    date_from = _date_field("From")
    date_to = _date_field("To")

    FILTERS: tuple[str, ...] = ("date_from", "date_to")

    def __init__(self, data=None):
        super().__init__(data)
        self.order_fields(self.FILTERS)

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
