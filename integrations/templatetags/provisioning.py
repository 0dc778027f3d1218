"""What provisioning says about one employee on their profile: the owning connection, its badge,
the sync history and the move / release panel (integrations.ownership). Template tags, so that
the employees app (the domain) stays unaware of connections.
"""

from django import template

from .. import ownership, selectors

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


@register.simple_tag
def employee_provisioning(employee) -> dict:
    """The owning live connection (or None) and the organization's live connections to move to."""
    owner = ownership.owner_get(employee=employee)
    others = [
        connection
        for connection in selectors.connection_list(organization=employee.organization)
        if owner is None or connection.pk != owner.pk
    ]
    return {"owner": owner, "others": others}
