"""SP-initiated sign-in: send the browser to the organization's identity provider."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import selectors


@never_cache
@require_GET
def start(request, public_id: str):
    configuration = selectors.sso_configuration_by_public_id(public_id=public_id)
    if configuration is None or not configuration.enabled:
        raise Http404("Single sign-on is not set up for this organization.")
    return render(
        request, "sso/refused.html", {"reason": "This identity provider is not supported yet."}, status=400
    )
