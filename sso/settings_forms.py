"""Settings > Integrations > Single sign-on: the form an admin fills in."""

from django import forms

from employees.models import Employee

from .models import SsoConfiguration


class SsoSettingsForm(forms.Form):
    provider = forms.ChoiceField(label="Identity provider", choices=SsoConfiguration.Provider.choices)
    protocol = forms.ChoiceField(
        label="Protocol", choices=SsoConfiguration.Protocol.choices, widget=forms.RadioSelect
    )
    oidc_issuer = forms.URLField(
        label="Issuer URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Okta: https://your-org.okta.com (or your authorization server's issuer).",
    )
    oidc_client_id = forms.CharField(label="Client ID", required=False, max_length=255)
    oidc_client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the one stored.",
    )
    saml_idp_metadata_url = forms.URLField(
        label="IdP metadata URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Okta: Sign On tab › Metadata URL. Or paste the XML below.",
    )
    saml_idp_metadata_xml = forms.CharField(
        label="IdP metadata XML", required=False, max_length=200_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    email_domains = forms.CharField(
        label="Email domains",
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. acme.com. With just-in-time creation, new people with these "
        "emails are sent to your identity provider, and only they are created.",
    )
    jit_create = forms.BooleanField(
        label="Create people on their first sign-in (just in time)",
        required=False,
        help_text="Off: only employees already in Engagedly can sign in.",
    )
    enabled = forms.BooleanField(label="Single sign-on is on", required=False)
    sso_required = forms.BooleanField(
        label="Require single sign-on",
        required=False,
        help_text="Password sign-in is refused for everyone except the break-glass admins below.",
    )
    break_glass = forms.ModelMultipleChoiceField(
        label="Break-glass admins (may still use a password)",
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, organization, configuration: SsoConfiguration | None):
        admins = Employee.objects.filter(organization=organization, is_org_admin=True, status="active")
        initial = {"provider": "okta", "protocol": "oidc"}
        if configuration is not None:
            initial = {
                name: getattr(configuration, name)
                for name in (
                    "provider",
                    "protocol",
                    "oidc_issuer",
                    "oidc_client_id",
                    "saml_idp_metadata_url",
                    "saml_idp_metadata_xml",
                    "email_domains",
                    "jit_create",
                    "enabled",
                )
            }
        initial["sso_required"] = organization.sso_required
        initial["break_glass"] = list(admins.filter(password_sign_in_allowed=True))
        super().__init__(data, initial=initial)
        self.fields["break_glass"].queryset = admins
        self.configuration = configuration

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sso_required") and not cleaned.get("enabled"):
            self.add_error("sso_required", "Turn single sign-on on before requiring it.")
        return cleaned
