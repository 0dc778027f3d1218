"""The `ceiling` yardstick: the cheapest authenticated JSON answer this server can give.

It takes the same path as a SCIM request up to the view (the full middleware stack, the SCIM
token parsing and token check of integrations.scim, with the auth epoch read from Redis that
SCIM requests read in their rate-limit round trip, through the same round_trip) and then answers a constant
document: no SCIM view, no activity record, no domain query. Its request rate is the framework's own
on this machine, the yardstick the SCIM scenarios of bench/run.py are measured against.

Served only with BENCH_CEILING=1 (see engagedly_portal/urls.py): it has no product purpose, and
an endpoint that checks tokens without leaving an activity record should not be reachable in
production.
"""

from django.http import JsonResponse

from integrations.scim import backend
from integrations.scim.auth import auth_epoch_read, token_from_header


def ceiling(request, public_id: str):
    plaintext = token_from_header(request.headers.get("Authorization", ""))
    epoch = auth_epoch_read()
    scope = (
        backend.scope_for_token(public_id=public_id, plaintext=plaintext, epoch=epoch) if plaintext else None
    )
    if scope is None:
        return JsonResponse({"status": "401"}, status=401, content_type="application/scim+json")
    return JsonResponse(
        {"ok": True, "organization": scope.organization.slug}, content_type="application/scim+json"
    )
