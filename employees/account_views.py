"""Passwords by emailed link: "Forgot password" and the invitation/reset link that sets one."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .emails import link_lifetime
from .forms import ForgotPasswordForm
from .models import SignInEvent


def request_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], base_url=request_origin(request))
        # The same answer whether or not the email exists.
        return render(
            request, "registration/password_forgot_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "registration/password_forgot.html", {"form": form, "lifetime": link_lifetime()})


def _employee_for_link(uidb64: str, token: str):
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    employee = selectors.employee_for_password_link(user_id=user_id)
    if employee is None or not employee.is_active or not employee.user.is_active:
        return None
    if not employee.may_use_password or not default_token_generator.check_token(employee.user, token):
        return None
    return employee


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_set(request, uidb64: str, token: str):
    """The link in an invitation or reset email: valid once, until it expires."""
    employee = _employee_for_link(uidb64, token)
    if employee is None:
        return render(
            request, "registration/password_link_invalid.html", {"lifetime": link_lifetime()}, status=400
        )
    form = SetPasswordForm(employee.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.employee_set_password(employee=employee, password=form.cleaned_data["new_password1"])
        services.sign_in_event_record(
            method=SignInEvent.Method.PASSWORD_LINK,
            outcome=SignInEvent.Outcome.SUCCESS,
            request=request,
            employee=employee,
            detail="Password set from an emailed link",
        )
        messages.success(request, "Your password is set. Sign in with your work email and new password.")
        return redirect("login")
    return render(request, "registration/password_set.html", {"form": form, "employee": employee})
