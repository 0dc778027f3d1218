"""The domain's one outward hook: other apps record what the domain did, without the domain importing them."""

from django.dispatch import Signal

# Sent inside the transaction that applied a deactivation's effects, exactly once per deactivation.
# Arguments: employee, has_account (whether it had a login account to block), sessions_ended,
# reports_reassigned.
employee_deactivation_applied = Signal()

# Sent when an organization's access may have changed (saved or deleted by support staff, or its
# settings updated by an admin): identity-provider integrations that cache what they verified
# check again. Arguments: organization_ids.
organization_access_changed = Signal()

# Sent when the set of an organization's employees changes: one is created, deleted, marked as
# deleted by an identity provider or restored from that mark (profile edits do not send it).
# Sent at the write, inside its transaction: receivers that cache what they derived from the
# set (integrations: SCIM list totals) drop it now and again once the transaction commits.
# Arguments: organization_id.
employee_roster_changed = Signal()
