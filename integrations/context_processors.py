"""What every Settings page shows integration admins: deactivations held by the brake."""

from . import selectors


def held_deactivations(request):
    """`held_summary`, computed only where a template reads it (the Settings pages' banner)."""
    employee = getattr(request, "employee", None)

    def summary():
        if employee is None or not employee.may_manage_integrations:
            return []
        return selectors.held_summary(organization=employee.organization)

    return {"held_summary": summary}
