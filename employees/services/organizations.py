"""Organizations: creation and the settings their admins change."""

from django.db import transaction

from ..models import Organization
from ..signals import organization_access_changed


def organization_create(*, name: str, slug: str, provisioning_enabled: bool = False) -> Organization:
    return Organization.objects.create(name=name, slug=slug, provisioning_enabled=provisioning_enabled)


@transaction.atomic
def organization_update(
    *, organization: Organization, name: str, direct_reports_on_deactivation: str
) -> Organization:
    """An admin's General settings; the deactivation task reads the policy when it runs."""
    organization.name = name.strip()
    organization.direct_reports_on_deactivation = direct_reports_on_deactivation
    organization.full_clean(exclude=["slug", "provisioning_enabled"])
    organization.save(update_fields=["name", "direct_reports_on_deactivation", "updated_at"])
    organization_access_changed.send(sender=Organization, organization_ids=[organization.pk])
    return organization
