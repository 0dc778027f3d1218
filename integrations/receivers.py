"""What integrations do when the domain reports a change: record background work in the activity of
the connection that provisions the employee; re-check cached SCIM tokens when access may have changed;
forget what SCIM list pages remembered about an organization whose set of employees changed."""

from django.dispatch import receiver
from django.utils import timezone

from employees.signals import (
    DeactivationApplied,
    employee_deactivations_applied,
    employee_fields_managed,
    employee_roster_changed,
    organization_access_changed,
)

from .auth_epoch import auth_epoch_bump
from .models import ProvisionedEmployee, ScimRequest
from .roster import roster_generation_bump


@receiver(employee_deactivations_applied, dispatch_uid="integrations.deactivation_activity")
def record_deactivations_applied(sender, applied: list[DeactivationApplied], **kwargs):
    """One activity entry per deactivation of a provisioned employee, in the connection that
    provisions it; the batch's entries in one INSERT."""
    now = timezone.now()
    connections = dict(
        ProvisionedEmployee.objects.filter(employee__in=[item.employee for item in applied]).values_list(
            "employee_id", "connection_id"
        )
    )
    ScimRequest.objects.bulk_create(
        [
            ScimRequest(
                connection_id=connections[item.employee.pk],
                created_at=now,
                method="TASK",
                path="deactivation",
                status_code=200,
                outcome=ScimRequest.Outcome.SUCCESS,
                operation=ScimRequest.Operation.BACKGROUND,
                resource_id=str(item.employee.pk),
                employee=item.employee,
                detail=_detail(item),
            )
            for item in applied
            if item.employee.pk in connections
        ]
    )


def _detail(item: DeactivationApplied) -> str:
    if item.has_account:
        effects = f"sign-in blocked, {item.sessions_ended} session(s) ended"
    else:
        effects = "no portal sign-in to block"
    return f"Deactivation applied: {effects}, {item.reports_reassigned} direct report(s) reassigned."


@receiver(organization_access_changed, dispatch_uid="integrations.organization_access_changed")
def recheck_cached_tokens(sender, organization_ids, **kwargs):
    auth_epoch_bump()


@receiver(employee_roster_changed, dispatch_uid="integrations.roster_changed")
def forget_list_pages(sender, organization_id: int, **kwargs):
    roster_generation_bump(organization_id=organization_id)


@receiver(employee_fields_managed, dispatch_uid="integrations.fields_managed")
def fields_managed_by_owner(sender, employee, **kwargs):
    """The fields the owning connection sends are read-only in the portal (integrations.ownership)."""
    from .ownership import managed_fields

    return managed_fields(employee=employee)
