"""The one page that shows a token: POST → redirect → this GET, which takes it from the session.

The POST that generates a token puts the plaintext in the session and redirects here; this GET
takes it out again (the session is saved without it), so a reload, Back, or a second tab finds
it gone and says so instead of re-POSTing the form. The response is never cached. The plaintext
rests in the session only between the redirect and this GET, and at most HANDOVER_SECONDS.
"""

import time

from django.shortcuts import redirect, render

from .. import selectors, services
from .common import integrations_view

SESSION_KEY = "integrations.credentials"
HANDOVER_SECONDS = 120


def hand_over(request, *, connection, token, plaintext: str, new_connection: bool):
    request.session[SESSION_KEY] = {
        "token": token.pk,
        "plaintext": plaintext,
        "new": new_connection,
        "issued": time.time(),
    }
    return redirect("integrations:credentials", pk=connection.pk, token_pk=token.pk)


def _take(request, token_pk: int) -> dict | None:
    handed = request.session.get(SESSION_KEY)
    if not handed or handed.get("token") != token_pk:
        return None
    del request.session[SESSION_KEY]
    if time.time() - handed.get("issued", 0) > HANDOVER_SECONDS:
        return None
    return handed


@integrations_view
def credentials(request, pk: int, token_pk: int):
    connection = selectors.connection_get(organization=request.employee.organization, pk=pk)
    token = selectors.token_get(connection=connection, pk=token_pk)
    handed = _take(request, token.pk)
    context = {
        "connection": connection,
        "base_url": selectors.connection_base_url(connection=connection, request=request),
        "token_hint": token,
        "token": handed["plaintext"] if handed else None,
        "new_connection": bool(handed and handed["new"]),
        "may_generate": (
            connection.tokens.filter(revoked_at__isnull=True).count() < services.MAX_LIVE_TOKENS
        ),
    }
    return render(request, "integrations/credentials.html", context)
