"""Organizations: creation and the settings their admins change."""

from django.db import transaction

from ..models import Organization
from ..signals import organization_access_changed


def organization_create(*, name: str, slug: str, provisioning_enabled: bool = False) -> Organization:
    return Organization.objects.create(name=name, slug=slug, provisioning_enabled=provisioning_enabled)


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    name: str,
    direct_reports_on_deactivation: str,
    invite_on_provisioning: bool | None = None,
) -> Organization:
    """An admin's General settings; the deactivation task reads the policy when it runs."""
    organization.name = name.strip()
    organization.direct_reports_on_deactivation = direct_reports_on_deactivation
    fields = ["name", "direct_reports_on_deactivation", "updated_at"]
    if invite_on_provisioning is not None:
        organization.invite_on_provisioning = invite_on_provisioning
        fields.append("invite_on_provisioning")
    organization.full_clean(exclude=["slug", "provisioning_enabled"])
    organization.save(update_fields=fields)
    organization_access_changed.send(sender=Organization, organization_ids=[organization.pk])
    return organization


@transaction.atomic
def organization_set_sso_required(*, organization: Organization, required: bool) -> Organization:
    """Password sign-in off (or on again) for everyone but the break-glass admins."""
    organization.sso_required = required
    organization.save(update_fields=["sso_required", "updated_at"])
    organization_access_changed.send(sender=Organization, organization_ids=[organization.pk])
    return organization
