"""Sign-in through the organization's identity provider: start (SP-initiated), OIDC callback, and
the shared ending: sign the employee in, refuse with a clear page, or report a test sign-in."""

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from employees import services as employee_services
from employees.models import SignInEvent

from .. import oidc, saml, selectors, services
from ..identity import Identity, SsoRefused
from ..models import SsoConfiguration
from .sign_in import safe_next

PENDING_KEY = "sso_oidc_pending"
MAX_PENDING = 5
METHODS = {
    SsoConfiguration.Protocol.OIDC: SignInEvent.Method.OIDC,
    SsoConfiguration.Protocol.SAML: SignInEvent.Method.SAML,
}


def portal_origin(request) -> str:
    return settings.PUBLIC_BASE_URL or f"{request.scheme}://{request.get_host()}"


def oidc_redirect_uri(request, configuration) -> str:
    return portal_origin(request) + reverse(
        "sso:oidc-callback", kwargs={"public_id": configuration.public_id}
    )


def _configuration(public_id: str, *, test: bool, request) -> SsoConfiguration:
    configuration = selectors.sso_configuration_by_public_id(public_id=public_id)
    if configuration is None:
        raise Http404("Single sign-on is not set up for this organization.")
    if test:
        employee = getattr(request, "employee", None)
        if employee is None or employee.organization_id != configuration.organization_id:
            raise Http404("Single sign-on is not set up for this organization.")
        if not employee.may_manage_integrations:
            raise Http404("Single sign-on is not set up for this organization.")
    elif not configuration.enabled:
        raise Http404("Single sign-on is not turned on for this organization.")
    return configuration


def refuse(request, configuration, reason: str, *, email: str = ""):
    employee_services.sign_in_event_record(
        method=METHODS.get(configuration.protocol, SignInEvent.Method.OIDC)
        if configuration
        else SignInEvent.Method.OIDC,
        outcome=SignInEvent.Outcome.FAILURE,
        request=request,
        organization=configuration.organization if configuration else None,
        email=email,
        detail=reason,
    )
    return render(request, "sso/refused.html", {"reason": reason}, status=403)


def finish(request, configuration: SsoConfiguration, identity: Identity, *, next_url: str, test: bool):
    """The end of every identity provider's sign-in."""
    if test:
        return _test_report(request, configuration, identity)
    try:
        employee = services.sso_employee_for_identity(configuration=configuration, identity=identity)
    except SsoRefused as refusal:
        return refuse(request, configuration, str(refusal), email=identity.email)
    login(request, employee.user, backend="employees.backends.EmployeeEmailBackend")
    employee_services.sign_in_event_record(
        method=METHODS[configuration.protocol],
        outcome=SignInEvent.Outcome.SUCCESS,
        request=request,
        employee=employee,
    )
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _test_report(request, configuration, identity):
    """What the provider sent and what a real sign-in would do, without signing anyone in."""
    from django.db import transaction

    verdict = ""
    try:
        with transaction.atomic():
            employee = services.sso_employee_for_identity(configuration=configuration, identity=identity)
            verdict = f"Would sign in as {employee.full_name} <{employee.email}>."
            transaction.set_rollback(True)  # a test changes nothing, not even a just-in-time account
    except SsoRefused as refusal:
        verdict = f"Would be refused: {refusal}"
    return render(
        request,
        "sso/test_report.html",
        {"configuration": configuration, "identity": identity, "verdict": verdict},
    )


@never_cache
@require_GET
def start(request, public_id: str):
    test = request.GET.get("test") == "1"
    configuration = _configuration(public_id, test=test, request=request)
    next_url = safe_next(request)
    login_hint = request.GET.get("login_hint", "")[:254]
    try:
        if configuration.protocol == SsoConfiguration.Protocol.SAML:
            return saml_start(request, configuration, next_url=next_url, test=test)
        url, state, nonce, verifier = oidc.authorization_request(
            configuration, redirect_uri=oidc_redirect_uri(request, configuration), login_hint=login_hint
        )
    except SsoRefused as refusal:
        return refuse(request, configuration, str(refusal))
    pending = dict(list(request.session.get(PENDING_KEY, {}).items())[-(MAX_PENDING - 1) :])
    pending[state] = {
        "sso": configuration.public_id,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "test": test,
    }
    request.session[PENDING_KEY] = pending
    return redirect(url)


@never_cache
@require_GET
def oidc_callback(request, public_id: str):
    configuration = selectors.sso_configuration_by_public_id(public_id=public_id)
    if configuration is None or configuration.protocol != SsoConfiguration.Protocol.OIDC:
        raise Http404("Single sign-on is not set up for this organization.")
    pending_all = request.session.get(PENDING_KEY, {})
    pending = pending_all.pop(str(request.GET.get("state", ""))[:100], None)
    request.session[PENDING_KEY] = pending_all
    if pending is None or pending["sso"] != configuration.public_id:
        return refuse(
            request,
            configuration,
            "This sign-in was not started here (state mismatch). Start again from the sign-in page.",
        )
    if "error" in request.GET:
        detail = str(request.GET.get("error_description") or request.GET["error"])[:200]
        return refuse(request, configuration, f"The identity provider refused the sign-in: {detail}")
    code = str(request.GET.get("code", ""))[:2000]
    if not code:
        return refuse(request, configuration, "The identity provider sent no sign-in code.")
    try:
        identity = oidc.identity_from_callback(
            configuration,
            redirect_uri=oidc_redirect_uri(request, configuration),
            code=code,
            nonce=pending["nonce"],
            verifier=pending["verifier"],
        )
    except SsoRefused as refusal:
        return refuse(request, configuration, str(refusal))
    return finish(request, configuration, identity, next_url=pending["next"], test=pending["test"])


def saml_start(request, configuration, *, next_url: str, test: bool):
    """SP-initiated SAML: remember the request id, then send the AuthnRequest by HTTP-Redirect."""
    request_id, url = saml.authn_request(configuration, portal_origin(request))
    services.saml_request_remember(
        configuration=configuration, request_id=request_id, next_url=next_url, test=test
    )
    return redirect(url)


@csrf_exempt  # the identity provider's cross-site POST; its XML signature is what authenticates it
@never_cache
@require_POST
def saml_acs(request, public_id: str):
    configuration = selectors.sso_configuration_by_public_id(public_id=public_id)
    if configuration is None or configuration.protocol != SsoConfiguration.Protocol.SAML:
        raise Http404("Single sign-on is not set up for this organization.")
    saml_response = request.POST.get("SAMLResponse", "")
    if not saml_response or len(saml_response) > saml.MAX_METADATA_BYTES:
        return refuse(request, configuration, "No usable SAML response was posted.")
    # Which request this answers, read before verification only to find it; pysaml2 then checks
    # the signed assertion answers exactly that one (or none, for an IdP-initiated sign-in).
    in_response_to = saml.in_response_to(saml_response)
    pending = selectors.saml_request_pending(configuration=configuration, request_id=in_response_to)
    if in_response_to and pending is None:
        return refuse(
            request,
            configuration,
            "The SAML response answers a sign-in that was not started here, or was already used.",
        )
    try:
        identity, assertion_id, expires_at = saml.parse_response(
            configuration,
            portal_origin(request),
            saml_response,
            outstanding={pending.request_id: pending.next_url} if pending else {},
        )
        services.saml_assertion_consume(
            configuration=configuration, assertion_id=assertion_id, expires_at=expires_at, pending=pending
        )
    except SsoRefused as refusal:
        return refuse(request, configuration, str(refusal))
    if pending is None and not configuration.enabled:
        # IdP-initiated sign-in only once single sign-on is on (a test always starts here).
        return refuse(request, configuration, "Single sign-on is not turned on for this organization.")
    next_url = pending.next_url if pending else _relay_state(request)
    return finish(request, configuration, identity, next_url=next_url, test=bool(pending and pending.test))


def _relay_state(request) -> str:
    relay = str(request.POST.get("RelayState", ""))[:1000]
    return (
        relay
        if url_has_allowed_host_and_scheme(relay, {request.get_host()}, require_https=request.is_secure())
        else ""
    )


@never_cache
@require_GET
def saml_metadata(request, public_id: str):
    configuration = selectors.sso_configuration_by_public_id(public_id=public_id)
    if configuration is None or not configuration.saml_sp_certificate:
        raise Http404("No SAML service provider here.")
    return HttpResponse(
        saml.sp_metadata(configuration, portal_origin(request)), content_type="application/samlmetadata+xml"
    )
