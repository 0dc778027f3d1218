from django import forms
from django.contrib.auth.forms import AuthenticationForm

from employees import selectors as employee_selectors


class EmailStepForm(forms.Form):
    username = forms.EmailField(label="Work email", max_length=254)


class PasswordSignInForm(AuthenticationForm):
    """Django's form; a refusal because the organization requires SSO says so instead of "wrong password"."""

    username = forms.CharField(label="Work email", max_length=254)

    def get_invalid_login_error(self):
        email = self.cleaned_data.get("username", "")
        employees = employee_selectors.employees_signing_in_as(email=email) if email else []
        if employees and not any(employee.may_use_password for employee in employees):
            return forms.ValidationError(
                "Your organization signs in with single sign-on. Continue with your identity provider.",
                code="sso_required",
            )
        return super().get_invalid_login_error()
