"""Email addresses as identity providers send them (internationalised ones included), and the
shape of an employee's further contact and directory entries."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.regex_helper import _lazy_re_compile

# RFC 6531 lets the local part hold any Unicode letter or digit (zoë@example.com), which Okta and
# Entra ID accept; RFC 5322's ASCII symbols and quoted local parts stay as Django allows them.
# Whitespace, control characters and malformed dots are still refused.
_ATOM = r"(?:[-!#$%&'*+/=?^`{}|~]|[^\W])+"
_QUOTED = r'"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"'


class InternationalEmailValidator(EmailValidator):
    user_regex = _lazy_re_compile(rf"^{_ATOM}(?:\.{_ATOM})*\Z|^{_QUOTED}\Z")


validate_international_email = InternationalEmailValidator()


class InternationalEmailFormField(forms.EmailField):
    default_validators = [validate_international_email]


class InternationalEmailField(models.EmailField):
    default_validators = [validate_international_email]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": InternationalEmailFormField, **kwargs})


# Contact and directory entries kept as lists (Employee.profile_extras): the phone numbers and
# addresses beyond the one shown and edited here, instant messaging, photos, entitlements, roles
# and certificates. Each is a list of flat entries ({"value": ..., "type": ..., "primary": ...}).
PROFILE_EXTRA_KINDS = frozenset(
    {"phone_numbers", "addresses", "ims", "photos", "entitlements", "roles", "x509_certificates"}
)
MAX_EXTRA_ENTRIES = 100
MAX_EXTRA_TEXT = 16_384  # a PEM/DER certificate in base64 fits with room to spare
_ENTRY_KEY = _lazy_re_compile(r"^[a-z][a-z_]{0,39}\Z")


def validate_profile_extras(value) -> None:
    """Lists of flat entries under known kinds, with bounded sizes; nothing else is stored."""
    if not isinstance(value, dict):
        raise ValidationError("Profile extras must be an object of lists.")
    for kind, entries in value.items():
        if kind not in PROFILE_EXTRA_KINDS:
            raise ValidationError(f"{kind!r} is not a kind of profile entry.")
        if not isinstance(entries, list) or len(entries) > MAX_EXTRA_ENTRIES:
            raise ValidationError(f"{kind} must be a list of at most {MAX_EXTRA_ENTRIES} entries.")
        for entry in entries:
            if not isinstance(entry, dict) or not entry:
                raise ValidationError(f"Each entry of {kind} must be a non-empty object.")
            for key, item in entry.items():
                if not isinstance(key, str) or not _ENTRY_KEY.match(key):
                    raise ValidationError(f"{key!r} is not a valid name in {kind}.")
                if not isinstance(item, str | bool) or (isinstance(item, str) and len(item) > MAX_EXTRA_TEXT):
                    raise ValidationError(
                        f"{kind}.{key} must be text of at most {MAX_EXTRA_TEXT} characters."
                    )
