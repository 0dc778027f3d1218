"""Sign-in events: every password, OpenID Connect and SAML sign-in attempt, kept per organization.

sign_in_event_record is the one function every sign-in path calls; it also writes the
organization's audit trail (audit.services), so admins see sign-ins beside the other actions.
"""

import logging

from audit.actions import register
from audit.services import audit_record

from ..models import Employee, Organization, SignInEvent

for _outcome in SignInEvent.Outcome:
    register(f"sign_in.{_outcome.value}", f"Sign-in: {_outcome.label.lower()}")

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
    if organization is not None:
        audit_record(
            action=f"sign_in.{outcome}",
            organization=organization,
            actor=employee.user if employee is not None and outcome == SignInEvent.Outcome.SUCCESS else None,
            target=employee,
            target_label=event.email,
            after={"method": event.get_method_display(), **({"reason": detail[:300]} if detail else {})},
        )
    return event
