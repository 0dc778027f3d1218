"""What integrations do when the domain reports a change: record background work in the activity of
the connection that sourced the employee; re-check cached SCIM tokens when access may have changed;
forget what SCIM list pages remembered about an organization whose set of employees changed."""

from django.dispatch import receiver
from django.utils import timezone

from employees.signals import (
    employee_deactivation_applied,
    employee_roster_changed,
    organization_access_changed,
)

from .auth_epoch import auth_epoch_bump
from .models import ScimRequest
from .roster import roster_generation_bump


@receiver(employee_deactivation_applied, dispatch_uid="integrations.deactivation_activity")
def record_deactivation_applied(
    sender, employee, sessions_ended: int, reports_reassigned: int, has_account: bool = True, **kwargs
):
    if employee.source_connection_id is None:
        return
    if has_account:
        effects = f"sign-in blocked, {sessions_ended} session(s) ended"
    else:
        effects = "no portal sign-in to block"
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
        detail=f"Deactivation applied: {effects}, {reports_reassigned} direct report(s) reassigned.",
    )


@receiver(organization_access_changed, dispatch_uid="integrations.organization_access_changed")
def recheck_cached_tokens(sender, organization_ids, **kwargs):
    auth_epoch_bump()


@receiver(employee_roster_changed, dispatch_uid="integrations.roster_changed")
def forget_list_pages(sender, organization_id: int, **kwargs):
    roster_generation_bump(organization_id=organization_id)
