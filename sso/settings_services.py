"""Saving an organization's single sign-on configuration (Settings > Integrations > SSO)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from employees import services as employee_services
from employees.models import Employee, Organization

from . import oidc
from .identity import SsoRefused
from .models import SsoConfiguration


def _check_oidc(configuration: SsoConfiguration, *, complete: bool) -> None:
    missing = [
        label
        for label, value in (
            ("oidc_issuer", configuration.oidc_issuer),
            ("oidc_client_id", configuration.oidc_client_id),
            ("oidc_client_secret", configuration.has_client_secret),
        )
        if not value
    ]
    if missing and complete:
        raise ValidationError({name: "Required for OpenID Connect." for name in missing})
    try:
        oidc.provider_metadata(configuration.oidc_issuer, fresh=True)
    except SsoRefused as exc:
        raise ValidationError({"oidc_issuer": str(exc)}) from exc


def _check_saml(configuration: SsoConfiguration, *, metadata_url_changed: bool) -> None:
    from . import saml

    if configuration.saml_idp_metadata_url and (
        metadata_url_changed or not configuration.saml_idp_metadata_xml
    ):
        try:
            configuration.saml_idp_metadata_xml = saml.fetch_metadata(configuration.saml_idp_metadata_url)
        except SsoRefused as exc:
            raise ValidationError({"saml_idp_metadata_url": str(exc)}) from exc
    if not configuration.saml_idp_metadata_xml:
        raise ValidationError({"saml_idp_metadata_url": "Give the IdP's metadata URL or paste its XML."})
    try:
        saml.idp_summary(configuration)
    except SsoRefused as exc:
        raise ValidationError({"saml_idp_metadata_xml": str(exc)}) from exc


@transaction.atomic
def sso_configuration_save(
    *,
    organization: Organization,
    provider: str,
    protocol: str,
    enabled: bool,
    sso_required: bool,
    break_glass: list[Employee],
    oidc_client_secret: str = "",
    **fields,
) -> SsoConfiguration:
    """Store the configuration; when it is (or stays) on, check the provider answers first.

    Raises ValidationError keyed by field. The client secret is encrypted; an empty one keeps the
    stored secret. Requiring SSO needs it on; break-glass admins keep their password sign-in.
    """
    configuration, _ = SsoConfiguration.objects.select_for_update().get_or_create(organization=organization)
    old_metadata_url = configuration.saml_idp_metadata_url
    configuration.provider, configuration.protocol, configuration.enabled = provider, protocol, enabled
    for name, value in fields.items():
        setattr(configuration, name, value.strip() if isinstance(value, str) else value)
    if oidc_client_secret:
        configuration.set_client_secret(oidc_client_secret)
    if protocol == SsoConfiguration.Protocol.SAML:
        from . import saml

        saml.ensure_signing_certificate(configuration)
    # Checked whenever given, so "Test sign-in" works before single sign-on is turned on.
    if protocol == SsoConfiguration.Protocol.OIDC:
        if enabled or configuration.oidc_issuer:
            _check_oidc(configuration, complete=enabled)
    elif enabled or configuration.saml_idp_metadata_url or configuration.saml_idp_metadata_xml:
        _check_saml(
            configuration, metadata_url_changed=configuration.saml_idp_metadata_url != old_metadata_url
        )
    configuration.full_clean(exclude=["organization"])
    configuration.save()
    Employee.objects.filter(organization=organization).exclude(pk__in=[e.pk for e in break_glass]).filter(
        password_sign_in_allowed=True
    ).update(password_sign_in_allowed=False)
    Employee.objects.filter(organization=organization, pk__in=[e.pk for e in break_glass]).update(
        password_sign_in_allowed=True
    )
    employee_services.organization_set_sso_required(
        organization=organization, required=enabled and sso_required
    )
    return configuration


def sso_configuration_start(*, organization: Organization) -> SsoConfiguration:
    """An organization's single sign-on, off until an admin fills it in (the portal's values,
    such as the redirect URI, exist from here on)."""
    configuration, _ = SsoConfiguration.objects.get_or_create(organization=organization)
    return configuration
