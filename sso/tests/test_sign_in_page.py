"""The sign-in page routes a work email to the organization's identity provider."""

import html
import re

from django.test import Client
from django.urls import reverse

from employees import services
from sso.tests.conftest import oidc_configure


def continue_url(response) -> str:
    """Where the page that moves on to single sign-on goes (a refresh and a link, not a redirect:
    the CSP's form-action would stop a form POST redirected to another origin)."""
    assert response.status_code == 200
    body = response.content.decode()
    url = html.unescape(re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body)[1])
    assert f'href="{html.escape(url)}"' in body.replace("&#x27;", "'")
    return url


def test_an_sso_employee_is_sent_to_the_identity_provider(client, acme, acme_employee, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme, sso_required=True)
    response = client.post(reverse("login"), {"username": "PLAIN@acme.example", "next": "/settings/"})
    url = continue_url(response)
    assert url.startswith(f"/sso/{configuration.public_id}/start/?")
    assert "login_hint=PLAIN%40acme.example" in url
    assert "next=%2Fsettings%2F" in url
    assert client.get(url)["Location"].startswith(oidc_idp.url + "/authorize?")


def test_without_sso_required_a_person_with_a_password_chooses(client, acme, acme_employee, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme)
    response = client.post(reverse("login"), {"username": "plain@acme.example"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="password"' in body
    assert f"/sso/{configuration.public_id}/start/?login_hint=plain%40acme.example" in body


def test_a_person_without_a_password_goes_straight_to_sso(client, acme, oidc_idp):
    services.employee_provision(organization=acme, email="ava@acme.example")
    configuration = oidc_configure(oidc_idp, acme)
    response = client.post(reverse("login"), {"username": "ava@acme.example"})
    assert continue_url(response).startswith(f"/sso/{configuration.public_id}/start/")


def test_break_glass_admin_keeps_the_password_step_with_sso_offered(client, acme, acme_admin, oidc_idp):
    oidc_configure(oidc_idp, acme, sso_required=True, break_glass=[acme_admin])
    response = client.post(reverse("login"), {"username": "admin@acme.example"})
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b"single sign-on" in response.content
    signed = client.post(reverse("login"), {"username": "admin@acme.example", "password": "pw-Admin-123"})
    assert signed.status_code == 302


def test_unknown_email_of_a_just_in_time_domain_goes_to_that_idp(client, acme, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme, jit_create=True, email_domains="acme.example")
    response = client.post(reverse("login"), {"username": "new.hire@acme.example"})
    assert continue_url(response).startswith(f"/sso/{configuration.public_id}/start/")
    # Not a domain anyone claims: the password step, which reveals nothing.
    other = Client().post(reverse("login"), {"username": "who@elsewhere.example"})
    assert b'name="password"' in other.content


def test_sso_off_keeps_everyone_on_passwords(client, acme, acme_employee, oidc_idp):
    oidc_configure(oidc_idp, acme, enabled=False)
    response = client.post(reverse("login"), {"username": "plain@acme.example"})
    assert b'name="password"' in response.content
    assert b"/sso/" not in response.content
