"""Sign-in events: every password, OpenID Connect and SAML sign-in attempt, kept per organization.

sign_in_event_record is the one function every sign-in path calls, so the audit trail can later
take these events from here without touching the sign-in code.
"""

import logging

from ..models import Employee, Organization, SignInEvent

logger = logging.getLogger("employees.sign_in")


def _client_address(request) -> str | None:
    # REMOTE_ADDR as the WSGI server saw it: a proxy in front must set it (gunicorn's forwarded_allow_ips).
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def sign_in_event_record(
    *,
    method: str,
    outcome: str,
    request=None,
    employee: Employee | None = None,
    organization: Organization | None = None,
    email: str = "",
    detail: str = "",
) -> SignInEvent:
    """Record one sign-in attempt; the organization is the employee's when not given."""
    if organization is None and employee is not None:
        organization = employee.organization
    event = SignInEvent.objects.create(
        organization=organization,
        employee=employee,
        email=(email or (employee.email if employee else ""))[:254],
        method=method,
        outcome=outcome,
        detail=detail[:300],
        ip_address=_client_address(request),
    )
    logger.info(
        "sign-in %s %s org=%s employee=%s %s",
        method,
        outcome,
        organization.pk if organization else "-",
        employee.pk if employee else "-",
        detail,
    )
    return event
