"""Email addresses as identity providers send them, internationalised ones included."""

from django import forms
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
