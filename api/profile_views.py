"""Your profile > API keys: create (shown once) and revoke personal API keys."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from employees.decorators import employee_required, integrations_permission_required

from . import selectors, services
from .forms import ApiKeyForm


def api_keys_view(view):
    """Signed in, an employee, and an admin or integration admin: the API acts with those rights."""
    return login_required(employee_required(integrations_permission_required(never_cache(view))))


@api_keys_view
@require_http_methods(["GET", "POST"])
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            issued = services.api_key_create(
                employee=request.employee, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The one answer that ever shows the key: the POST that made it (never cached).
            return render(
                request, "api/api_key_created.html", {"api_key": issued.api_key, "key": issued.plaintext}
            )
    keys = selectors.api_key_list(employee=request.employee)
    return render(request, "api/api_keys.html", {"form": form, "keys": keys, "now": timezone.now()})


@api_keys_view
@require_POST
def api_key_revoke(request, pk: int):
    api_key = selectors.api_key_get(employee=request.employee, pk=pk)
    services.api_key_revoke(api_key=api_key)
    messages.success(request, f"Key “{api_key.name}” revoked. Requests made with it are refused from now on.")
    return redirect("api-keys:list")
