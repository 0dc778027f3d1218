"""Single sign-on per organization: its identity provider (OpenID Connect or SAML 2.0)."""

import secrets

from django.db import models

from employees.models import Organization

from . import crypto


def new_public_id() -> str:
    return secrets.token_hex(10)


class SsoConfiguration(models.Model):
    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    class Provider(models.TextChoices):
        OKTA = "okta", "Okta"
        ENTRA = "entra", "Microsoft Entra ID"
        ONELOGIN = "onelogin", "OneLogin"
        JUMPCLOUD = "jumpcloud", "JumpCloud"
        OTHER = "other", "Other"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sso_configuration"
    )
    # In the portal's SSO URLs (redirect URI, ACS, metadata): /sso/<public_id>/...
    public_id = models.CharField(max_length=40, unique=True, default=new_public_id, editable=False)
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.OKTA)
    enabled = models.BooleanField("single sign-on on", default=False)
    # Just-in-time: someone the identity provider vouches for, unknown here, becomes an employee.
    jit_create = models.BooleanField("create unknown people on first sign-in", default=False)
    # Which emails new to the portal the sign-in page sends to this identity provider (with JIT).
    email_domains = models.CharField(max_length=500, blank=True)

    oidc_issuer = models.URLField("issuer URL", max_length=500, blank=True)
    oidc_client_id = models.CharField("client ID", max_length=255, blank=True)
    oidc_client_secret_encrypted = models.TextField(blank=True, editable=False)

    saml_idp_metadata_url = models.URLField("IdP metadata URL", max_length=500, blank=True)
    saml_idp_metadata_xml = models.TextField("IdP metadata XML", blank=True)
    saml_sp_private_key_encrypted = models.TextField(blank=True, editable=False)
    saml_sp_certificate = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_provider_display()} ({self.get_protocol_display()})"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    @property
    def is_ready(self) -> bool:
        """Filled in enough to try a sign-in (the settings page's Test sign-in)."""
        if self.protocol == self.Protocol.SAML:
            return bool(self.saml_idp_metadata_xml and self.saml_sp_certificate)
        return bool(self.oidc_issuer and self.oidc_client_id and self.has_client_secret)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_encrypted)

    def set_client_secret(self, plaintext: str) -> None:
        self.oidc_client_secret_encrypted = crypto.encrypt(plaintext)

    def client_secret(self) -> str:
        return crypto.decrypt(self.oidc_client_secret_encrypted)

    def sp_private_key(self) -> str:
        return crypto.decrypt(self.saml_sp_private_key_encrypted)


class SeenAssertion(models.Model):
    """A SAML assertion already used: the same one posted again (a replay) is refused."""

    configuration = models.ForeignKey(SsoConfiguration, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=255)
    # Kept until the assertion itself expires; after that its validity window refuses it anyway.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["configuration", "assertion_id"], name="seen_assertion_unique")
        ]

    def __str__(self) -> str:
        return self.assertion_id


class PendingSamlRequest(models.Model):
    """An AuthnRequest the portal sent and has not seen answered: the response's InResponseTo must
    name one (pysaml2's "outstanding queries"). Kept in the database, not the session: the IdP's
    POST to the ACS is cross-site, so the browser does not send a SameSite=Lax session cookie."""

    request_id = models.CharField(max_length=100, unique=True)
    configuration = models.ForeignKey(SsoConfiguration, on_delete=models.CASCADE, related_name="+")
    next_url = models.CharField(max_length=1000, blank=True)
    test = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.request_id
