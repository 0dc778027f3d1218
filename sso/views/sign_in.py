"""The sign-in page: a work email first, then the organization's identity provider or a password."""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from employees import selectors as employee_selectors
from employees import services as employee_services
from employees.models import SignInEvent

from ..forms import EmailStepForm, PasswordSignInForm
from ..sign_in import sign_in_route


def safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return ""


def sso_start_url(configuration, *, email: str = "", next_url: str = "") -> str:
    query = {key: value for key, value in (("login_hint", email), ("next", next_url)) if value}
    url = reverse("sso:start", kwargs={"public_id": configuration.public_id})
    return f"{url}?{urlencode(query)}" if query else url


def _render(request, *, form, step: str, next_url: str, route=None, status=200):
    context = {"form": form, "step": step, "next": next_url, "route": route}
    if route is not None and route.sso is not None:
        context["sso_url"] = sso_start_url(route.sso, email=form["username"].value() or "", next_url=next_url)
    return render(request, "registration/login.html", context, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.method != "POST":
        return _render(request, form=EmailStepForm(), step="email", next_url=next_url)
    if "password" not in request.POST:
        form = EmailStepForm(request.POST)
        if not form.is_valid():
            return _render(request, form=form, step="email", next_url=next_url)
        route = sign_in_route(email=form.cleaned_data["username"])
        if route.sso is not None and not route.password:
            # A page that moves on by itself, not a redirect: the Content-Security-Policy's
            # form-action 'self' also covers the redirects that follow a form's POST, and the
            # IdP is on another origin. A navigation from a page is not a form submission.
            start_url = sso_start_url(route.sso, email=form.cleaned_data["username"], next_url=next_url)
            return render(request, "registration/sso_continue.html", {"start_url": start_url})
        return _render(
            request,
            form=PasswordSignInForm(request, initial=form.cleaned_data),
            step="password",
            next_url=next_url,
            route=route,
        )
    return _password_step(request, next_url)


def _password_step(request, next_url: str):
    form = PasswordSignInForm(request, data=request.POST)
    email = request.POST.get("username", "")[:254]
    if form.is_valid():
        user = form.get_user()
        login(request, user)
        employee_services.sign_in_event_record(
            method=SignInEvent.Method.PASSWORD,
            outcome=SignInEvent.Outcome.SUCCESS,
            request=request,
            employee=getattr(user, "employee", None),
            email=email,
        )
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    locked = getattr(request, "axes_locked_out", False)
    # The attempt belongs to the organization of the person it names, when the email names one.
    named = employee_selectors.employees_signing_in_as(email=email) if email else []
    employee_services.sign_in_event_record(
        method=SignInEvent.Method.PASSWORD,
        outcome=SignInEvent.Outcome.LOCKED_OUT if locked else SignInEvent.Outcome.FAILURE,
        request=request,
        employee=named[0] if len(named) == 1 else None,
        email=email,
        detail="; ".join(form.non_field_errors())[:300],
    )
    route = sign_in_route(email=email) if form.cleaned_data.get("username") else None
    return _render(request, form=form, step="password", next_url=next_url, route=route)
