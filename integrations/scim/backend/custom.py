"""The organization's active custom profile fields, which make up the product's SCIM extension."""

from employees import services

from .common import Scope


def custom_fields(scope: Scope) -> dict:
    """Key -> CustomField of the scope's organization's active fields (one query)."""
    return services.custom_fields_active(organization_id=scope.organization.pk)
