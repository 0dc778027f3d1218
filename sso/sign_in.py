"""Where an email signs in: its organization's identity provider, or a password."""

from dataclasses import dataclass

from employees import selectors as employee_selectors
from employees.models import Employee


def axes_username(request, credentials) -> str:
    """django-axes counts failures per account by the email as typed, case-folded, trimmed."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()[:254]


@dataclass(frozen=True)
class Route:
    """How one email signs in: `sso` is the organization's SSO configuration, or None."""

    sso: object | None
    password: bool


def sign_in_route(*, email: str) -> Route:
    """SSO when the email's organization has it and the person has no password to use instead."""
    from . import selectors

    employees = employee_selectors.employees_signing_in_as(email=email)
    for employee in employees:
        configuration = selectors.sso_configuration_enabled(organization=employee.organization)
        if configuration is not None:
            return Route(sso=configuration, password=_has_password(employee) and employee.may_use_password)
    if not employees:
        # Someone not yet in the portal: an organization that creates people on first sign-in
        # (just-in-time) and claims the email's domain sends them to its identity provider.
        configuration = selectors.sso_configuration_for_new_email(email=email)
        if configuration is not None:
            return Route(sso=configuration, password=False)
    return Route(sso=None, password=True)


def _has_password(employee: Employee) -> bool:
    return employee.user is not None and employee.user.has_usable_password()
