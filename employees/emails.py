"""Account emails (invitation, password reset): plain text and HTML, sent through Django's email API.

The backend comes from settings (console in `make run`, locmem in tests, SMTP in production);
tasks.send_account_email calls this with ids, so a worker builds the link from the state it reads.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Employee

SUBJECTS = {
    "invitation": "{organization} invited you to Engagedly",
    "password_reset": "Reset your Engagedly password",
}


def password_link(*, employee: Employee, base_url: str) -> str:
    """An absolute link that lets the employee set a password once, until it expires."""
    uid = urlsafe_base64_encode(force_bytes(employee.user_id))
    token = default_token_generator.make_token(employee.user)
    origin = settings.PUBLIC_BASE_URL or base_url.rstrip("/")
    return origin + reverse("accounts:password-set", args=[uid, token])


def link_lifetime() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def account_email_send(*, employee: Employee, kind: str, base_url: str) -> bool:
    """Send one account email; False (nothing sent) when it no longer applies."""
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown account email {kind!r}")
    if not employee.is_active or employee.user is None or not employee.user.is_active:
        return False
    if not employee.may_use_password:
        return False
    context = {
        "employee": employee,
        "organization": employee.organization,
        "link": password_link(employee=employee, base_url=base_url),
        "lifetime": link_lifetime(),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(organization=employee.organization.name),
        body=render_to_string(f"emails/{kind}.txt", context),
        to=[employee.email],
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    message.send()
    return True
