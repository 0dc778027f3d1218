from django import forms

EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Key name",
        max_length=100,
        help_text="What the key is for, e.g. “Terraform” or “SIEM export”. At most 100 characters.",
        error_messages={"required": "Enter a name for the key."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )
