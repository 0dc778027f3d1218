"""Custom profile fields: turning a submitted or provisioned value into the field's stored JSON type.

One set of rules for every way a value arrives (the portal's form, an identity provider, an import):
text is stripped, numbers are JSON numbers, dates ISO 8601 strings (YYYY-MM-DD), yes/no booleans,
a single choice one of the field's options. None or an empty string clears the value.
"""

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .models import CustomField

TEXT_LIMIT = 1000
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})


def custom_value_clean(field: CustomField, value):
    """The value as stored, None to clear it; ValidationError naming the field otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return _CLEANERS[field.field_type](field, value)
    except (TypeError, ValueError, InvalidOperation) as exc:
        expected = _EXPECTED.get(field.field_type, "")
        if field.field_type == CustomField.Type.CHOICE:
            expected = f"choose one of {', '.join(field.choices)}."
        raise ValidationError({field.key: f"{field.label}: {expected}"}) from exc


def _text(field: CustomField, value):
    if not isinstance(value, str):
        raise TypeError
    value = value.strip()
    if len(value) > TEXT_LIMIT or "\x00" in value:
        raise ValueError
    return value


def _number(field: CustomField, value):
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, str):
        value = Decimal(value.strip())
    if isinstance(value, int):
        return value
    number = float(value)
    if not math.isfinite(number) or abs(number) > 1e15:
        raise ValueError
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _date(field: CustomField, value):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError
    text = value.strip()
    # A full timestamp is accepted for its date (identity providers send dateTime attributes).
    return datetime.date.fromisoformat(text[:10]).isoformat() if len(text) >= 10 else _bad()


def _boolean(field: CustomField, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise TypeError


def _choice(field: CustomField, value):
    if not isinstance(value, str):
        raise TypeError
    for option in field.choices:
        if option.lower() == value.strip().lower():
            return option
    raise ValueError


def _bad():
    raise ValueError


_CLEANERS = {
    CustomField.Type.TEXT: _text,
    CustomField.Type.NUMBER: _number,
    CustomField.Type.DATE: _date,
    CustomField.Type.BOOLEAN: _boolean,
    CustomField.Type.CHOICE: _choice,
}
_EXPECTED = {
    CustomField.Type.TEXT: f"enter text of at most {TEXT_LIMIT} characters.",
    CustomField.Type.NUMBER: "enter a number.",
    CustomField.Type.DATE: "enter a date as YYYY-MM-DD.",
    CustomField.Type.BOOLEAN: "enter true or false.",
}


def custom_value_display(field: CustomField, value) -> str:
    """How the portal and CSV exports show a stored value."""
    if value is None:
        return ""
    if field.field_type == CustomField.Type.BOOLEAN:
        return "Yes" if value else "No"
    return str(value)
