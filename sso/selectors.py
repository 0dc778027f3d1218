"""Reads for single sign-on."""

from employees.models import Organization

from .models import SsoConfiguration


def sso_configuration_get(*, organization: Organization) -> SsoConfiguration | None:
    return SsoConfiguration.objects.filter(organization=organization).first()


def sso_configuration_enabled(*, organization: Organization) -> SsoConfiguration | None:
    return (
        SsoConfiguration.objects.select_related("organization")
        .filter(organization=organization, enabled=True)
        .first()
    )


def sso_configuration_by_public_id(*, public_id: str) -> SsoConfiguration | None:
    return (
        SsoConfiguration.objects.select_related("organization").filter(public_id=str(public_id)[:40]).first()
    )


def sso_configuration_for_new_email(*, email: str) -> SsoConfiguration | None:
    """The just-in-time organization that claims this email's domain, if exactly one does."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    claims = [
        configuration
        for configuration in SsoConfiguration.objects.select_related("organization").filter(
            enabled=True, jit_create=True, email_domains__icontains=domain
        )[:10]
        if domain in configuration.domains
    ]
    return claims[0] if len(claims) == 1 else None


def saml_request_pending(*, configuration: SsoConfiguration, request_id: str):
    """The unanswered AuthnRequest with this id, sent for this configuration in the last 10 minutes."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import PendingSamlRequest

    if not request_id:
        return None
    return PendingSamlRequest.objects.filter(
        configuration=configuration,
        request_id=request_id,
        created_at__gte=timezone.now() - timedelta(minutes=10),
    ).first()
