"""Settings > Integrations > HRIS > Okta: connections, their tokens and their SCIM activity."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import brake, held, selectors, services
from ..charts import activity_chart
from ..forms import ActivityFilterForm, BrakeForm, ConnectionForm, TokenForm
from ..providers import PROVIDERS, Provider, provider_get
from ..retention import retention_days
from ..status import activity_summary
from .common import integrations_view, provisioning_enabled_required
from .credentials import hand_over

ACTIVITY_PAGE_SIZE = 25


def _provider(slug: str) -> Provider:
    provider = provider_get(slug)
    if provider is None:
        raise Http404("No such identity provider.")
    return provider


@integrations_view
def integrations_index(request):
    """HRIS: one tile per provider, with its connections' count."""
    organization = request.employee.organization
    counts = Counter(selectors.connection_list(organization=organization).values_list("provider", flat=True))
    tiles = [(provider, counts.get(provider.slug, 0)) for provider in PROVIDERS.values()]
    context = {
        "organization": organization,
        "tiles": tiles,
        "retention_days": retention_days(organization=organization),
        "brake_form": BrakeForm.for_brake(None, brake=brake.brake_get(organization=organization)),
        "decisions": selectors.guard_decision_list(organization=organization)[:10],
    }
    return render(request, "integrations/index.html", context)


@integrations_view
def provider_page(request, provider: str):
    provider = _provider(provider)
    organization = request.employee.organization
    connections = selectors.connection_overview_list(organization=organization, provider=provider.slug)
    context = {"organization": organization, "connections": connections, "provider": provider}
    return render(request, "integrations/provider.html", context)


@integrations_view
@provisioning_enabled_required
@require_http_methods(["GET", "POST"])
def connection_create(request, provider: str):
    provider = _provider(provider)
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.connection_create(
                organization=request.employee.organization,
                name=form.cleaned_data["name"],
                created_by=request.user,
                provider=provider.slug,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return hand_over(
                request,
                connection=created.connection,
                token=created.token,
                plaintext=created.plaintext_token,
                new_connection=True,
            )
    return render(request, "integrations/connection_form.html", {"form": form, "provider": provider})


@integrations_view
def connection_detail(request, pk: int):
    overview = selectors.connection_overview_get(organization=request.employee.organization, pk=pk)
    connection = overview.connection
    filters = ActivityFilterForm(request.GET, tokens=overview.tokens)
    activity = selectors.scim_request_list(connection=connection, **filters.filters())
    context = {
        "overview": overview,
        "connection": connection,
        "base_url": selectors.connection_base_url(connection=connection, request=request),
        "filters": filters,
        "page": Paginator(activity, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page")),
        "chart": activity_chart(selectors.scim_request_daily_counts(connection=connection)),
        "manager_links": selectors.manager_link_problems(connection=connection),
        "token_form": TokenForm(),
        "summary": activity_summary(connection=connection, last_healthy_at=overview.health.last_healthy_at),
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
    form = TokenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        issued = services.token_issue(
            connection=connection,
            created_by=request.user,
            label=form.cleaned_data["label"],
            expires_at=form.expires_at(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:connection", pk=connection.pk)
    return hand_over(
        request, connection=connection, token=issued.token, plaintext=issued.plaintext, new_connection=False
    )


@integrations_view
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int, token_pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    token = selectors.token_get(connection=connection, pk=token_pk)
    if request.method == "POST":
        services.token_revoke(token=token, actor=request.user)
        messages.success(request, f"Token {token} revoked. Requests made with it are refused from now on.")
        return redirect("integrations:connection", pk=connection.pk)
    live_tokens = list(selectors.token_queryset().filter(connection=connection, revoked_at__isnull=True))
    # Revoking the older token of a rotation before the IdP has used the newer one stops syncing.
    unseen_newer = [
        other
        for other in live_tokens
        if other.pk != token.pk and other.created_at > token.created_at and other.last_used is None
    ]
    return render(
        request,
        "integrations/token_revoke.html",
        {
            "connection": connection,
            "token": token,
            "last_live_token": len(live_tokens) <= 1 and not token.is_revoked,
            "unseen_newer": unseen_newer[0] if unseen_newer else None,
        },
    )


@integrations_view
@require_http_methods(["GET", "POST"])
def connection_delete(request, pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    if request.method == "POST":
        services.connection_delete(connection=connection, actor=request.user)
        messages.success(
            request,
            f"Connection “{connection.name}” deleted. Syncing has stopped; synced employees are unchanged.",
        )
        return redirect("integrations:provider", provider=connection.provider)
    return render(request, "integrations/connection_delete.html", {"connection": connection})
