from functools import wraps

from django.core.exceptions import PermissionDenied


def employee_required(view):
    """Portal pages belong to an organization: the signed-in user must be one of its employees."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "employee", None) is None:
            raise PermissionDenied("This account does not belong to an organization.")
        return view(request, *args, **kwargs)

    return wrapper


def integrations_permission_required(view):
    """Organization admins and holders of the "manage integrations" permission only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        employee = getattr(request, "employee", None)
        if employee is None or not employee.may_manage_integrations:
            raise PermissionDenied(
                "Only admins or users with the integration permission can manage integrations."
            )
        return view(request, *args, **kwargs)

    return wrapper


def org_admin_required(view=None, *, message: str = "Only organization admins can change employees."):
    """Organization admins only; `message` is what everyone else reads on the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            employee = getattr(request, "employee", None)
            if employee is None or not employee.is_org_admin:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
