"""The organization's active custom profile fields, which make up the product's SCIM extension."""

from collections.abc import Callable

from employees import services

from .common import Scope


def custom_fields(scope: Scope) -> dict:
    """Key -> CustomField of the scope's organization's active fields (one query)."""
    return services.custom_fields_active(organization_id=scope.organization.pk)


# The organization's active custom fields, read at most once per request (custom_fields above).
FieldsOf = Callable[[], dict] | None


def loaded_fields(custom_fields: FieldsOf, fields: dict | None) -> dict | None:
    """The active fields the protocol layer read already, when a write sets custom values."""
    return custom_fields() if custom_fields and fields and fields.get("custom_values") else None
