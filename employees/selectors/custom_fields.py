"""Custom profile fields and their values."""

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.shortcuts import get_object_or_404

from ..custom_fields import custom_value_clean, custom_value_display
from ..models import CustomField, Employee, Organization


def custom_fields_list(*, organization: Organization) -> QuerySet[CustomField]:
    """Every custom field, the archived ones last."""
    return CustomField.objects.filter(organization=organization).order_by(
        F("archived_at").asc(nulls_first=True), "position", "id"
    )


def custom_field_get(*, organization: Organization, pk: int) -> CustomField:
    return get_object_or_404(CustomField, organization=organization, pk=pk)


def custom_field_holders(*, field: CustomField) -> int:
    """How many employees have a value stored for this field."""
    return Employee.objects.filter(
        organization_id=field.organization_id, custom_values__has_key=field.key
    ).count()


def employee_custom_values(*, employee: Employee) -> list[tuple[CustomField, str]]:
    """The organization's active custom fields with this employee's value, as the profile shows them."""
    fields = CustomField.objects.filter(organization_id=employee.organization_id, archived_at__isnull=True)
    return [(field, custom_value_display(field, employee.custom_values.get(field.key))) for field in fields]


def employees_with_custom_value(
    employees: QuerySet[Employee], *, field: CustomField, value: str
) -> QuerySet[Employee]:
    """Narrow a directory query to one custom field's value: text contains it, other types equal it."""
    # Transforms built from the key, not a "custom_values__<key>" lookup string: a key may be
    # named like a lookup ("contains") and must never be parsed as one.
    if field.field_type == CustomField.Type.TEXT:
        text = KeyTextTransform(field.key, "custom_values")
        return employees.annotate(custom_text=text).filter(custom_text__icontains=value)
    try:
        wanted = custom_value_clean(field, value)
    except ValidationError:
        return employees.none()
    if wanted is None:
        return employees
    return employees.annotate(custom_value=KeyTransform(field.key, "custom_values")).filter(
        custom_value=wanted
    )
