"""Settings > Integrations: the deactivation brake, held deactivations, and employee ownership."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from employees.models import Employee

from .. import brake, held, ownership, selectors
from ..forms import BrakeForm, HeldDecisionForm
from .common import integrations_view


@integrations_view
@require_POST
def brake_update(request):
    organization = request.employee.organization
    form = BrakeForm.for_brake(request.POST, brake=brake.brake_get(organization=organization))
    if form.is_valid():
        brake.brake_update(organization=organization, actor=request.user, **form.cleaned_data)
        messages.success(request, "Deactivation brake saved.")
    else:
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, f"The brake was not saved. {errors}")
    return redirect(reverse("integrations:index") + "#brake")


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


@integrations_view
@require_POST
def held_decide(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    held_ids = list(held.held_list(connection=connection).values_list("pk", flat=True))
    form = HeldDecisionForm(request.POST, held_ids=held_ids)
    target = reverse("integrations:connection", kwargs={"pk": connection.pk}) + "#held"
    if not form.is_valid() or (form.cleaned_data["action"] != "reset" and form.chosen() == []):
        messages.error(request, "Tick the people to decide on, or choose all of them.")
        return redirect(target)
    action = form.cleaned_data["action"]
    if action == "reset":
        held.brake_reset(connection=connection, actor=request.user)
        messages.success(request, f"The brake on {connection.name} is reset.")
        return redirect(target)
    decide = held.held_apply if action == "apply" else held.held_keep
    outcome = decide(connection=connection, ids=form.chosen(), actor=request.user)
    if action == "apply":
        messages.success(request, f"Deactivation applied to {_people(outcome.done)}.")
    else:
        messages.success(request, f"{_people(outcome.done).capitalize()} kept active.")
    if outcome.refused:
        messages.error(
            request,
            f"Not deactivated, as the organization's last active admin: {', '.join(outcome.refused)}.",
        )
    return redirect(target)


@integrations_view
@require_POST
def employee_owner(request, pk: int):
    """Move the employee to another connection, or release it (unowned)."""
    organization = request.employee.organization
    employee = get_object_or_404(Employee, organization=organization, pk=pk)
    if request.POST.get("action") == "release":
        ownership.employee_owner_release(employee=employee, actor=request.user)
        messages.success(request, f"{employee.full_name} is no longer managed by a connection.")
    else:
        try:
            connection_pk = int(request.POST.get("connection", ""))
        except ValueError:
            messages.error(request, "Choose a connection.")
            return redirect("employees:detail", pk=employee.pk)
        connection = selectors.connection_get(organization=organization, pk=connection_pk)
        ownership.employee_owner_move(employee=employee, connection=connection, actor=request.user)
        messages.success(request, f"{employee.full_name} is now managed by {connection.name}.")
    return redirect("employees:detail", pk=employee.pk)
