"""The "reassign reports" policy: reports of a deactivated manager move up, and can move back.

A deactivation run moves the manager's reports to the manager's own manager (lifecycle); a link
that resolves later to a manager whose deactivation was applied follows the same policy in the
link run (managers, link_writes). Every move records the manager moved away from, so
reactivating that manager can offer to restore the reports.
"""

from dataclasses import dataclass

from django.db import transaction

from ..models import Employee
from .managers import _lock_organization, manager_check


@dataclass(frozen=True)
class RestoreOutcome:
    restored: list[Employee]
    refused: dict[Employee, str]  # report -> why it cannot report to the manager again (a cycle)


@transaction.atomic
def employee_reports_restore(*, manager: Employee, report_ids: list[int] | None = None) -> RestoreOutcome:
    """Move back the reports the "reassign reports" policy moved away from `manager` (now active).

    `report_ids` picks some of them (None: all). A report that would now close a reporting cycle
    stays where it is and is returned as refused. Restored reports forget the move.
    """
    _lock_organization(manager.organization_id)
    manager.refresh_from_db(fields=["status", "manager"])
    if not manager.is_active:
        return RestoreOutcome([], {})
    reports = Employee.objects.select_for_update().filter(
        organization_id=manager.organization_id, moved_from_manager=manager
    )
    if report_ids is not None:
        reports = reports.filter(pk__in=report_ids)
    restored, refused = [], {}
    for report in reports.order_by("pk"):
        # One at a time: each check sees the reports restored before it.
        check = manager_check(employee=report, manager=manager)
        if not check.ok:
            refused[report] = check.reason
            continue
        report.manager = manager
        report.manager_email = manager.email
        report.manager_link = Employee.ManagerLink.RESOLVED
        report.manager_link_error = ""
        report.manager_link_pending_since = None
        report.moved_from_manager = None
        report.version += 1
        report.save(
            update_fields=[
                "manager",
                "manager_email",
                "manager_link",
                "manager_link_error",
                "manager_link_pending_since",
                "moved_from_manager",
                "version",
                "updated_at",
            ]
        )
        restored.append(report)
    return RestoreOutcome(restored, refused)


@transaction.atomic
def employee_reports_keep_moved(*, manager: Employee) -> int:
    """Forget the moves away from `manager`: the reports stay with their current managers."""
    return Employee.objects.filter(
        organization_id=manager.organization_id, moved_from_manager=manager
    ).update(moved_from_manager=None)
