"""Settings > Integrations > Email alerts: each integration admin's own choice."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.services import audit_record

from ..models import AlertPreference
from .common import integrations_view


class AlertPreferenceForm(forms.ModelForm):
    class Meta:
        model = AlertPreference
        fields = ["alerts", "digest"]
        help_texts = {
            "alerts": "A connection starts failing, deactivations are held for a decision, manager links "
            "stay unresolved for a day, or a token expires within a week. At most one email per problem "
            "an hour.",
            "digest": "Every Monday: each connection’s status and its last 7 days.",
        }


@integrations_view
@require_http_methods(["GET", "POST"])
def alert_preferences(request):
    preference = AlertPreference.objects.filter(employee=request.employee).first() or AlertPreference(
        employee=request.employee
    )
    before = {"alerts": preference.alerts, "digest": preference.digest}
    form = AlertPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            after = {"alerts": saved.alerts, "digest": saved.digest}
            if after != before:
                audit_record(
                    action="alerts.preference_changed",
                    organization=request.employee.organization,
                    actor=request.user,
                    target=request.employee,
                    before=before,
                    after=after,
                )
        messages.success(request, "Your alert emails are saved.")
        return redirect("integrations:alert-preferences")
    return render(request, "integrations/alert_preferences.html", {"form": form})
