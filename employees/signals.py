"""The domain's one outward hook: other apps record what the domain did, without the domain importing them."""

from django.dispatch import Signal

# Sent inside the transaction that applied a deactivation's effects, exactly once per deactivation.
# Arguments: employee, sessions_ended, reports_reassigned.
employee_deactivation_applied = Signal()
