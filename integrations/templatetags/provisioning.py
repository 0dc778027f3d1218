"""What provisioning says about one employee, on their profile (the employees app stays IdP-free)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("integrations/includes/managed_by_badge.html")
def managed_by_badge(employee) -> dict:
    return {"connection": selectors.employee_connection(employee=employee)}


@register.inclusion_tag("integrations/includes/sync_history.html")
def sync_history(employee, *, viewer) -> dict:
    """The employee's sync history, for those who manage integrations only (it shows request paths)."""
    if viewer is None or not viewer.may_manage_integrations:
        return {"visible": False}
    return {
        "visible": True,
        "employee": employee,
        "requests": selectors.employee_sync_history(employee=employee),
        "limit": selectors.SYNC_HISTORY_LENGTH,
    }
