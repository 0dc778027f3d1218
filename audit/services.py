"""audit_record: the one function every feature calls to leave an entry in the audit trail."""

from django.db import models

from employees.models import Organization

from .models import AuditEvent


def actor_identity(user) -> tuple[str, str]:
    """(name, email) of an account: the employee's when it is one, else the account's own."""
    employee = getattr(user, "employee", None) if user is not None else None
    if employee is not None:
        return employee.full_name, employee.email
    if user is None:
        return "", ""
    return (user.get_full_name() or user.email or user.get_username()), user.email


def _actor_kind(user, organization: Organization | None) -> str:
    if user is None:
        return AuditEvent.ActorKind.SYSTEM
    employee = getattr(user, "employee", None)
    if employee is not None and organization is not None and employee.organization_id == organization.pk:
        return AuditEvent.ActorKind.ADMIN
    return AuditEvent.ActorKind.SUPPORT if user.is_staff else AuditEvent.ActorKind.ADMIN


def _jsonable(values: dict | None) -> dict:
    return {
        key: value if isinstance(value, bool | int | float | type(None)) else str(value)
        for key, value in (values or {}).items()
    }


def audit_record(
    *,
    action: str,
    organization: Organization | None,
    actor=None,
    target: models.Model | None = None,
    target_label: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Record that `actor` (a user, or None for the system) did `action` to `target`.

    Call it inside the transaction of the change it records, so the entry and the change are
    committed together or not at all. `before`/`after` hold the fields that changed.
    """
    name, email = actor_identity(actor)
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor,
        actor_name=name[:300],
        actor_email=email[:254],
        actor_kind=_actor_kind(actor, organization),
        action=action[:64],
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:300],
        before=_jsonable(before),
        after=_jsonable(after),
    )


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, for before/after."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
