"""Record background work in the sync activity of the connection that sourced the employee."""

from django.dispatch import receiver
from django.utils import timezone

from employees.signals import employee_deactivation_applied

from .models import ScimRequest


@receiver(employee_deactivation_applied, dispatch_uid="integrations.deactivation_activity")
def record_deactivation_applied(sender, employee, sessions_ended: int, reports_reassigned: int, **kwargs):
    if employee.source_connection_id is None:
        return
    ScimRequest.objects.create(
        connection_id=employee.source_connection_id,
        created_at=timezone.now(),
        method="TASK",
        path="deactivation",
        status_code=200,
        outcome=ScimRequest.Outcome.SUCCESS,
        operation=ScimRequest.Operation.BACKGROUND,
        resource_id=str(employee.pk),
        employee=employee,
        detail=(
            f"Deactivation applied: sign-in blocked, {sessions_ended} session(s) ended, "
            f"{reports_reassigned} direct report(s) reassigned."
        ),
    )
