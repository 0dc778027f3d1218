"""The domain's one outward hook: other apps record what the domain did, without the domain importing them."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from .models import Employee

# Sent inside the transaction that applied a batch of deactivations' effects, once per batch; each
# deactivation is in exactly one. A burst of deprovisioning is applied a batch at a time, so
# receivers write what they record for the whole batch at once. Arguments: applied, a list of
# DeactivationApplied.
employee_deactivations_applied = Signal()


@dataclass(frozen=True)
class DeactivationApplied:
    employee: "Employee"
    has_account: bool  # whether it had a login account to block
    sessions_ended: int
    reports_reassigned: int


# Sent when an organization's access may have changed (saved or deleted by support staff, or its
# settings updated by an admin): identity-provider integrations that cache what they verified
# check again. Arguments: organization_ids.
organization_access_changed = Signal()

# Sent when the set of an organization's employees changes: one is created, deleted, marked as
# deleted by an identity provider or restored from that mark (profile edits do not send it).
# Sent at the write, inside its transaction: receivers that cache what they derived from the
# set (integrations: SCIM list totals) drop it once the transaction commits.
# Arguments: organization_id.
employee_roster_changed = Signal()

# Sent to ask which of an employee's fields something outside the portal manages (an identity
# provider's connection): those are read-only in the portal's forms, so an edit never silently
# fights the next sync. Receivers return None, or (who manages them, a set of Employee field
# names; "manager_email" stands for the manager). Arguments: employee.
employee_fields_managed = Signal()
