"""One writer per employee: the connection that provisioned or linked an employee owns it.

Another connection of the organization neither sees nor changes it (the SCIM backend filters by
owned_elsewhere); integration admins move an employee to another connection or release it. The
fields the owning connection sends are read-only in the portal (employees.signals).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, JSONField, OuterRef, Subquery

from employees.models import Employee
from employees.services import PROFILE_FIELDS

from .decisions import decision_record
from .models import Connection, GuardDecision, ProvisionedEmployee

# The employee fields a provider's values reach: the profile fields its writes carry, and the manager.
PROVIDABLE = frozenset({*PROFILE_FIELDS, "manager_email"})


def owned_elsewhere(*, connection_id: int) -> Exists:
    """For an Employee queryset: owned by a live connection other than this one (one PK probe)."""
    return Exists(
        ProvisionedEmployee.objects.filter(
            employee=OuterRef("pk"), connection__deleted_at__isnull=True
        ).exclude(connection_id=connection_id)
    )


def owner_get(*, employee: Employee) -> Connection | None:
    """The live connection that owns the employee, or None."""
    link = (
        ProvisionedEmployee.objects.select_related("connection")
        .filter(employee=employee, connection__deleted_at__isnull=True)
        .first()
    )
    return link.connection if link else None


def provided_of(sent: dict) -> frozenset[str]:
    """The employee fields a provider's write carries a value for."""
    return frozenset(key for key, value in sent.items() if value and key in PROVIDABLE)


def provided_annotation() -> Subquery:
    """For an Employee queryset: the fields its owning connection provides (the same statement)."""
    return Subquery(
        ProvisionedEmployee.objects.filter(employee=OuterRef("pk")).values("provided_fields")[:1],
        output_field=JSONField(),
    )


def provided_learn(*, employee: Employee, known: frozenset[str], sent: dict) -> frozenset[str]:
    """Add the fields `sent` carries a value for to what the owner provides for the employee: one
    UPDATE of the link, only when the set grows (a provider sends the same attributes each time).
    In the caller's transaction, the employee's row locked."""
    grown = known | provided_of(sent)
    if grown != known:
        ProvisionedEmployee.objects.filter(employee=employee).update(provided_fields=sorted(grown))
    return grown


def managed_fields(*, employee: Employee) -> tuple[str, frozenset[str]] | None:
    """(owning connection's name, the fields it provides) for an owned employee, else None."""
    owner = owner_get(employee=employee)
    if owner is None:
        return None
    fields = ProvisionedEmployee.objects.filter(employee=employee).values_list("provided_fields", flat=True)
    return owner.name, frozenset(fields.first() or ())


@transaction.atomic
def employee_owner_move(*, employee: Employee, connection: Connection, actor) -> None:
    """Give the employee to another live connection of its organization; recorded."""
    if connection.organization_id != employee.organization_id or connection.deleted_at is not None:
        raise ValidationError("Choose a connection of this organization.")
    previous = owner_get(employee=employee)
    # The new owner has sent nothing yet: every field is editable until it does.
    ProvisionedEmployee.objects.update_or_create(
        employee=employee, defaults={"connection": connection, "provided_fields": []}
    )
    source = f"from {previous.name} " if previous else ""
    decision_record(
        organization_id=employee.organization_id,
        action=GuardDecision.Action.MOVE,
        count=1,
        actor=actor,
        connection=connection,
        detail=f"{employee.full_name} moved {source}to {connection.name}.",
    )


@transaction.atomic
def employee_owner_release(*, employee: Employee, actor) -> bool:
    """Make the employee unowned: the next create with its userName or email links it. Recorded."""
    previous = owner_get(employee=employee)
    deleted, _ = ProvisionedEmployee.objects.filter(employee=employee).delete()
    if previous is not None:
        decision_record(
            organization_id=employee.organization_id,
            action=GuardDecision.Action.RELEASE,
            count=1,
            actor=actor,
            connection=previous,
            detail=f"{employee.full_name} released from {previous.name}.",
        )
    return bool(deleted)
