"""Custom profile fields: define, archive, delete, and set an employee's values."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audit.actions import register
from audit.services import audit_record

from ..custom_fields import custom_value_clean
from ..models import CustomField, Employee, Organization
from .lifecycle import employee_lock

MAX_FIELDS = 50
for _action, _label in (
    ("custom_field.created", "Added a profile field"),
    ("custom_field.changed", "Changed a profile field"),
    ("custom_field.archived", "Archived a profile field"),
    ("custom_field.restored", "Restored a profile field"),
    ("custom_field.deleted", "Deleted a profile field and its values"),
):
    register(_action, _label)


def _audit(action: str, field: CustomField, actor, **after) -> None:
    audit_record(
        action=action,
        organization=field.organization,
        actor=actor,
        target=field,
        target_label=f"{field.label} ({field.key})",
        after=after,
    )


MAX_CHOICES = 100


def _clean_choices(field_type: str, choices) -> list[str]:
    options, seen = [], set()
    for option in choices or ():
        option = str(option).strip()
        if option and option.lower() not in seen:
            seen.add(option.lower())
            options.append(option[:200])
    if field_type == CustomField.Type.CHOICE and not options:
        raise ValidationError({"choices": "List at least one option, one per line."})
    if len(options) > MAX_CHOICES:
        raise ValidationError({"choices": f"Use at most {MAX_CHOICES} options."})
    return options if field_type == CustomField.Type.CHOICE else []


@transaction.atomic
def custom_field_create(
    *,
    organization: Organization,
    key: str,
    label: str,
    field_type: str,
    help_text: str = "",
    choices=(),
    actor=None,
) -> CustomField:
    if CustomField.objects.filter(organization=organization, archived_at__isnull=True).count() >= MAX_FIELDS:
        raise ValidationError(f"An organization can have at most {MAX_FIELDS} custom fields.")
    position = CustomField.objects.filter(organization=organization).aggregate(top=Max("position"))["top"]
    field = CustomField(
        organization=organization,
        key=(key or "").strip(),
        label=(label or "").strip(),
        help_text=(help_text or "").strip(),
        field_type=field_type,
        choices=_clean_choices(field_type, choices),
        position=(position or 0) + 1,
    )
    field.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
    if CustomField.objects.filter(organization=organization, key__iexact=field.key).exists():
        raise ValidationError({"key": "Another field (perhaps an archived one) already uses this key."})
    try:
        with transaction.atomic():
            field.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent create of the same key
        raise ValidationError({"key": "Another field already uses this key."}) from exc
    _audit("custom_field.created", field, actor, type=field.get_field_type_display())
    return field


@transaction.atomic
def custom_field_update(
    *, field: CustomField, label: str, help_text: str = "", choices=None, actor=None
) -> CustomField:
    """Label, help and options change; the key and type do not (stored values and IdPs depend on them)."""
    field.label = (label or "").strip()
    field.help_text = (help_text or "").strip()
    if choices is not None:
        field.choices = _clean_choices(field.field_type, choices)
    field.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
    field.save(update_fields=["label", "help_text", "choices", "updated_at"])
    _audit("custom_field.changed", field, actor, label=field.label, options=", ".join(field.choices))
    return field


@transaction.atomic
def custom_field_archive(*, field: CustomField, actor=None) -> CustomField:
    if field.archived_at is None:
        field.archived_at = timezone.now()
        field.save(update_fields=["archived_at", "updated_at"])
        _audit("custom_field.archived", field, actor)
    return field


@transaction.atomic
def custom_field_restore(*, field: CustomField, actor=None) -> CustomField:
    if field.archived_at is not None:
        field.archived_at = None
        field.save(update_fields=["archived_at", "updated_at"])
        _audit("custom_field.restored", field, actor)
    return field


@transaction.atomic
def custom_field_delete(*, field: CustomField, actor=None) -> int:
    """Delete an archived field and purge its stored values; returns how many employees had one."""
    if field.archived_at is None:
        raise ValidationError("Archive the field before deleting it.")
    holders = Employee.objects.filter(organization_id=field.organization_id, custom_values__has_key=field.key)
    purged = 0
    for employee in holders.select_for_update().iterator(chunk_size=500):
        employee.custom_values.pop(field.key, None)
        employee.version += 1
        employee.save(update_fields=["custom_values", "version", "updated_at"])
        purged += 1
    _audit("custom_field.deleted", field, actor, values_erased=purged)
    field.delete()
    return purged


def custom_values_merge(employee: Employee, values: dict, fields: dict[str, CustomField]) -> bool:
    """Apply `values` (key → raw value; None clears) to the employee in memory; True if anything changed.

    Every value is checked before any is applied; errors name each refused field.
    """
    cleaned, errors = {}, {}
    for key, raw in values.items():
        field = fields.get(key)
        if field is None:
            errors[key] = f"No custom field {key!r} in this organization."
            continue
        try:
            cleaned[key] = custom_value_clean(field, raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    merged = dict(employee.custom_values)
    for key, value in cleaned.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if merged == employee.custom_values:
        return False
    employee.custom_values = merged
    return True


def custom_fields_active(*, organization_id: int) -> dict[str, CustomField]:
    fields = CustomField.objects.filter(organization_id=organization_id, archived_at__isnull=True)
    return {field.key: field for field in fields}


def custom_values_provided(employee: Employee, values: dict | None, fields: dict | None) -> bool:
    """An identity provider's custom values (key -> value, None clears) merged in memory, as
    custom_values_merge does; `fields` are the active fields when the caller has them (else one query)."""
    if not values:
        return False
    if fields is None:
        fields = custom_fields_active(organization_id=employee.organization_id)
    return custom_values_merge(employee, values, fields)


@transaction.atomic
def employee_set_custom_values(*, employee: Employee, values: dict) -> Employee:
    """Set some of an employee's custom field values (the portal's form, an import)."""
    employee_lock(employee)
    if custom_values_merge(employee, values, custom_fields_active(organization_id=employee.organization_id)):
        employee.version += 1
        employee.save(update_fields=["custom_values", "version", "updated_at"])
    return employee
