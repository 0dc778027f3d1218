"""Teams: groups pushed by an identity provider (read-only here) and teams made in the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .decorators import employee_required, org_admin_required
from .forms import TeamForm, TeamMemberForm
from .models import Team


def _editable_team(request, pk: int) -> Team:
    """A team made in the portal: a provisioned team's members come from its identity provider."""
    team = selectors.team_get(organization=request.employee.organization, pk=pk)
    if getattr(team, "provisioning", None) is not None:
        raise PermissionDenied(
            "This team is managed by an identity provider: change its members there;"
            " the next push updates it."
        )
    return team


@login_required
@employee_required
def team_list(request):
    search = request.GET.get("q", "").strip()[:200]
    teams = selectors.team_list(organization=request.employee.organization, search=search)
    page = Paginator(teams, 25).get_page(request.GET.get("page"))
    return render(request, "employees/teams.html", {"page": page, "search": search})


@login_required
@employee_required
def team_detail(request, pk: int):
    team = selectors.team_get(organization=request.employee.organization, pk=pk)
    page = Paginator(selectors.team_members(team=team), 50).get_page(request.GET.get("page"))
    form = TeamMemberForm(organization=team.organization)
    return render(request, "employees/team_detail.html", {"team": team, "page": page, "form": form})


@login_required
@employee_required
@org_admin_required(message="Only organization admins can create teams.")
def team_add(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(organization=request.employee.organization, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc.message_dict.get("name") or exc.messages)
        else:
            messages.success(request, f"Team {team.name} was created. Add its members below.")
            return redirect("employees:team", pk=team.pk)
    return render(request, "employees/team_form.html", {"form": form})


@require_POST
@login_required
@employee_required
@org_admin_required(message="Only organization admins can change teams.")
def team_members(request, pk: int):
    """Add a member (by email) or remove one (by id)."""
    team = _editable_team(request, pk)
    if "remove" in request.POST:
        member = team.members.filter(pk=_int(request.POST["remove"])).first()
        if member is not None and services.team_remove_member(team=team, employee=member):
            messages.success(request, f"{member.full_name} was removed from {team.name}.")
        return redirect("employees:team", pk=team.pk)
    form = TeamMemberForm(request.POST, organization=team.organization)
    if form.is_valid():
        employee = form.cleaned_data["email"]
        if services.team_add_member(team=team, employee=employee):
            messages.success(request, f"{employee.full_name} was added to {team.name}.")
        else:
            messages.info(request, f"{employee.full_name} is already a member.")
        return redirect("employees:team", pk=team.pk)
    page = Paginator(selectors.team_members(team=team), 50).get_page(1)
    context = {"team": team, "page": page, "form": form}
    return render(request, "employees/team_detail.html", context, status=400)


@require_POST
@login_required
@employee_required
@org_admin_required(message="Only organization admins can delete teams.")
def team_delete(request, pk: int):
    team = _editable_team(request, pk)
    services.team_delete(team=team)
    messages.success(request, f"Team {team.name} was deleted. Its members were not changed.")
    return redirect("employees:teams")


def _int(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0
