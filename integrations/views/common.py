"""Decorators the Settings > Integrations views share."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from employees.decorators import employee_required, integrations_permission_required


def integrations_view(view):
    """Signed in, an employee of the organization, and allowed to manage its integrations (else 403)."""
    return login_required(employee_required(integrations_permission_required(never_cache(view))))


def provisioning_enabled_required(view):
    """Creating credentials needs the flag support staff set; until then the Okta page explains why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.employee.organization.provisioning_enabled:
            messages.error(
                request, "Provisioning is not enabled for your organization yet. Contact our support team."
            )
            return redirect("integrations:provider", provider=kwargs.get("provider", "okta"))
        return view(request, *args, **kwargs)

    return wrapper
