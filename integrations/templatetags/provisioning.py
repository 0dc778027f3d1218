"""The employee page's provisioning panel: which connection owns the person (integrations.ownership).

A template tag, so that the employees app (the domain) stays unaware of connections.
"""

from django import template

from .. import ownership, selectors

register = template.Library()


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
