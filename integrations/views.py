"""Settings > Integrations > HRIS > Okta: connections, their tokens and their SCIM activity."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from employees.decorators import employee_required, integrations_permission_required

from . import brake, held, selectors, services
from .charts import activity_chart
from .forms import ActivityFilterForm, BrakeForm, ConnectionForm

ACTIVITY_PAGE_SIZE = 25


def integrations_view(view):
    """Signed in, an employee of the organization, and allowed to manage its integrations (else 403)."""
    return login_required(employee_required(integrations_permission_required(never_cache(view))))


def provisioning_enabled_required(view):
    """Creating credentials needs the flag support staff set; until then the Okta page explains why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.employee.organization.provisioning_enabled:
            messages.error(
                request, "Okta is not enabled for your organization yet. Contact our support team."
            )
            return redirect("integrations:okta")
        return view(request, *args, **kwargs)

    return wrapper


def _credentials(request, *, connection, plaintext_token: str, new_connection: bool):
    """The one page that ever shows a token, as the answer to the POST that made it (never cached)."""
    context = {
        "connection": connection,
        "base_url": selectors.connection_base_url(connection=connection, request=request),
        "token": plaintext_token,
        "new_connection": new_connection,
    }
    return render(request, "integrations/credentials.html", context)


def _connections_page(request, template: str):
    """The Integrations tab and the Okta page show the same connections, one as a card."""
    organization = request.employee.organization
    connections = selectors.connection_overview_list(organization=organization)
    return render(request, template, {"organization": organization, "connections": connections})


@integrations_view
def integrations_index(request):
    organization = request.employee.organization
    context = {
        "organization": organization,
        "connections": selectors.connection_overview_list(organization=organization),
        "brake_form": BrakeForm.for_brake(None, brake=brake.brake_get(organization=organization)),
        "decisions": selectors.guard_decision_list(organization=organization)[:10],
    }
    return render(request, "integrations/index.html", context)


@integrations_view
def okta(request):
    return _connections_page(request, "integrations/okta.html")


@integrations_view
@provisioning_enabled_required
@require_http_methods(["GET", "POST"])
def connection_create(request):
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.connection_create(
                organization=request.employee.organization,
                name=form.cleaned_data["name"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _credentials(
                request,
                connection=created.connection,
                plaintext_token=created.plaintext_token,
                new_connection=True,
            )
    return render(request, "integrations/connection_form.html", {"form": form})


@integrations_view
def connection_detail(request, pk: int):
    overview = selectors.connection_overview_get(organization=request.employee.organization, pk=pk)
    connection = overview.connection
    filters = ActivityFilterForm(request.GET)
    activity = selectors.scim_request_list(connection=connection, **filters.filters())
    context = {
        "overview": overview,
        "connection": connection,
        "base_url": selectors.connection_base_url(connection=connection, request=request),
        "filters": filters,
        "page": Paginator(activity, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page")),
        "chart": activity_chart(selectors.scim_request_daily_counts(connection=connection)),
        "manager_links": selectors.manager_link_problems(connection=connection),
        "held": list(held.held_list(connection=connection)),
        # Paths are shown relative to the base URL, as an admin reads them in Okta.
        "scim_path_prefix": reverse("scim:root", kwargs={"public_id": connection.public_id}).rstrip("/"),
    }
    return render(request, "integrations/connection_detail.html", context)


@integrations_view
@provisioning_enabled_required
@require_POST
def token_create(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    try:
        issued = services.token_issue(connection=connection, created_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:connection", pk=connection.pk)
    return _credentials(
        request, connection=connection, plaintext_token=issued.plaintext, new_connection=False
    )


@integrations_view
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int, token_pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    token = selectors.token_get(connection=connection, pk=token_pk)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, f"Token {token} revoked. Requests made with it are refused from now on.")
        return redirect("integrations:connection", pk=connection.pk)
    live_tokens = connection.tokens.filter(revoked_at__isnull=True).count()
    return render(
        request,
        "integrations/token_revoke.html",
        {
            "connection": connection,
            "token": token,
            "last_live_token": live_tokens <= 1 and not token.is_revoked,
        },
    )


@integrations_view
@require_http_methods(["GET", "POST"])
def connection_delete(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    if request.method == "POST":
        services.connection_delete(connection=connection)
        messages.success(
            request,
            f"Connection “{connection.name}” deleted. Syncing has stopped; synced employees are unchanged.",
        )
        return redirect("integrations:okta")
    return render(request, "integrations/connection_delete.html", {"connection": connection})
