"""The whole journey: assigned in Okta → provisioned over SCIM → invited → signs in; then the
organization requires single sign-on: the password is refused and the identity provider works."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.test import Client
from django.urls import reverse

from employees import services
from employees.models import Employee
from integrations import services as integration_services
from integrations.tests.conftest import ScimClient, fixture
from sso.tests.conftest import idp_user, oidc_configure, oidc_sign_in
from sso.tests.test_sign_in_page import continue_url

PASSWORD = "Journey-pass-2026"


def test_provisioned_invited_password_then_sso_required(
    acme, oidc_idp, eager_tasks, django_capture_on_commit_callbacks
):
    services.organization_update(
        organization=acme, name="Acme", direct_reports_on_deactivation="keep", invite_on_provisioning=True
    )
    created = integration_services.connection_create(organization=acme, name="Okta")
    scim = ScimClient(Client(), created.connection, created.plaintext_token)
    body = fixture("okta_create_user.json")
    email = body["emails"][0]["value"]

    # Okta assigns the person: a SCIM POST creates the employee, and the invitation is emailed.
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.post("/Users", body).status_code == 201
    (invitation,) = mail.outbox
    assert invitation.to == [email]
    link = urlsplit(re.search(r"http://testserver/accounts/password/set/\S+/", invitation.body).group(0)).path

    # The link sets a password; the person signs in with it (email first, then the password).
    browser = Client()
    assert browser.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 302
    assert browser.post(reverse("login"), {"username": email}).status_code == 200
    signed = browser.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert signed.status_code == 302
    assert browser.get(reverse("employees:directory")).status_code == 200

    # The organization turns on Okta single sign-on and requires it.
    configuration = oidc_configure(oidc_idp, acme, sso_required=True)
    idp_user(oidc_idp, email, given_name="Isaiah")
    refused = Client().post(reverse("login"), {"username": email, "password": PASSWORD})
    assert refused.status_code == 200
    assert b"signs in with single sign-on" in refused.content
    # The email step now sends them to Okta, and Okta signs them in.
    sso_browser = Client()
    step = sso_browser.post(reverse("login"), {"username": email})
    assert continue_url(step).startswith(f"/sso/{configuration.public_id}/start/")
    response = oidc_sign_in(sso_browser, configuration, email)
    assert response.status_code == 302
    employee = Employee.objects.get(organization=acme, email__iexact=email)
    assert int(sso_browser.session["_auth_user_id"]) == employee.user_id
    assert sso_browser.get(reverse("employees:directory")).status_code == 200
