"""Settings > Integrations > Single sign-on: the organization's identity provider for sign-in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from integrations.views.common import integrations_view

from .. import selectors, settings_services
from ..settings_forms import SsoSettingsForm
from .flows import oidc_redirect_uri, portal_origin


def _portal_values(request, configuration) -> dict:
    """What the admin pastes into the identity provider (shown with copy buttons)."""
    if configuration is None:
        return {}
    origin = portal_origin(request)
    ids = {"public_id": configuration.public_id}
    return {
        "redirect_uri": oidc_redirect_uri(request, configuration),
        "initiate_login_uri": origin + reverse("sso:start", kwargs=ids),
        "entity_id": origin + reverse("sso:saml-metadata", kwargs=ids),
        "acs_url": origin + reverse("sso:saml-acs", kwargs=ids),
        "metadata_url": origin + reverse("sso:saml-metadata", kwargs=ids),
        "certificate": configuration.saml_sp_certificate,
    }


@integrations_view
@require_http_methods(["GET", "POST"])
def sso_settings(request):
    organization = request.employee.organization
    configuration = selectors.sso_configuration_get(organization=organization)
    form = SsoSettingsForm(request.POST or None, organization=organization, configuration=configuration)
    if request.method == "POST" and form.is_valid():
        try:
            configuration = settings_services.sso_configuration_save(
                organization=organization, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("sso_settings:index")
    context = {
        "form": form,
        "configuration": configuration,
        "organization": organization,
        "values": _portal_values(request, configuration),
    }
    return render(request, "sso/settings.html", context)
