"""Settings > Integrations > Activity retention: how long the SCIM activity record is kept."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..models import ActivityRetention
from ..retention import retention_days, retention_set
from .common import integrations_view


class RetentionForm(forms.Form):
    days = forms.IntegerField(
        label="Keep activity for (days)",
        min_value=ActivityRetention.MIN_DAYS,
        max_value=ActivityRetention.MAX_DAYS,
        help_text=f"Between {ActivityRetention.MIN_DAYS} and {ActivityRetention.MAX_DAYS} days. "
        "Older requests are deleted every hour; the audit trail is kept regardless.",
    )


@integrations_view
@require_http_methods(["GET", "POST"])
def activity_retention(request):
    organization = request.employee.organization
    form = RetentionForm(request.POST or None, initial={"days": retention_days(organization=organization)})
    if request.method == "POST" and form.is_valid():
        try:
            retention_set(organization=organization, days=form.cleaned_data["days"], actor=request.user)
        except ValidationError as exc:
            form.add_error("days", exc)
        else:
            messages.success(request, f"Activity is kept for {form.cleaned_data['days']} days.")
            return redirect("integrations:activity-retention")
    return render(request, "integrations/activity_retention.html", {"form": form})
