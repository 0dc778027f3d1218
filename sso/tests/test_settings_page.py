"""Settings > Integrations > Single sign-on: who may open it, what it stores, what it shows."""

from django.test import Client

from conftest import signed_in
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from sso.models import SsoConfiguration

URL = "/settings/integrations/sso/"


def oidc_form(idp, **overrides):
    return {
        "provider": "okta",
        "protocol": "oidc",
        "oidc_issuer": idp.url,
        "oidc_client_id": "portal-client",
        "oidc_client_secret": "s3cret-value-never-shown",
        "email_domains": "",
        **overrides,
    }


def test_only_integration_managers_of_the_organization_open_it(acme_employee, admin_client):
    assert signed_in(Client(), acme_employee).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert b"Set up single sign-on in Okta" in page.content


def test_the_integrations_tab_has_an_sso_section_beside_hris(admin_client):
    body = admin_client.get("/settings/integrations/").content.decode()
    assert "HRIS" in body and ">SSO<" in body and URL in body


def test_the_client_secret_is_stored_encrypted_and_never_shown_again(admin_client, acme, oidc_idp):
    response = admin_client.post(URL, oidc_form(oidc_idp, enabled="on"))
    assert response.status_code == 302, response.content
    configuration = SsoConfiguration.objects.get(organization=acme)
    assert configuration.enabled
    assert "s3cret-value-never-shown" not in configuration.oidc_client_secret_encrypted
    assert configuration.client_secret() == "s3cret-value-never-shown"
    page = admin_client.get(URL).content.decode()
    assert "s3cret-value-never-shown" not in page
    assert "A client secret is stored" in page
    assert f"/sso/{configuration.public_id}/oidc/callback/" in page
    # Saving again without a secret keeps the stored one.
    admin_client.post(URL, oidc_form(oidc_idp, enabled="on", oidc_client_secret=""))
    configuration.refresh_from_db()
    assert configuration.client_secret() == "s3cret-value-never-shown"


def test_an_issuer_that_does_not_answer_is_a_form_error(admin_client, acme):
    response = admin_client.post(
        URL,
        {
            "provider": "okta",
            "protocol": "oidc",
            "oidc_issuer": "http://127.0.0.1:9/",
            "oidc_client_id": "x",
            "oidc_client_secret": "y",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert b"did not answer" in response.content
    assert not SsoConfiguration.objects.filter(organization=acme, enabled=True).exists()


def test_a_plain_http_issuer_elsewhere_than_loopback_is_refused(admin_client):
    response = admin_client.post(
        URL, {"provider": "okta", "protocol": "oidc", "oidc_issuer": "http://idp.example.com"}
    )
    assert b"must use https" in response.content


def test_require_sso_with_break_glass_admins(admin_client, acme, acme_admin, oidc_idp):
    other_admin = EmployeeFactory(organization=acme, email="other@acme.example", is_org_admin=True)
    response = admin_client.post(
        URL, oidc_form(oidc_idp, enabled="on", sso_required="on", break_glass=[str(acme_admin.pk)])
    )
    assert response.status_code == 302, response.content
    acme.refresh_from_db()
    assert acme.sso_required
    assert Employee.objects.get(pk=acme_admin.pk).password_sign_in_allowed
    assert not Employee.objects.get(pk=other_admin.pk).password_sign_in_allowed


def test_requiring_sso_needs_it_on(admin_client, acme, oidc_idp):
    response = admin_client.post(URL, oidc_form(oidc_idp, sso_required="on"))
    assert response.status_code == 200
    assert b"Turn single sign-on on before requiring it" in response.content
    acme.refresh_from_db()
    assert not acme.sso_required


def test_outsiders_break_glass_choices_are_refused(admin_client, oidc_idp, outsider_admin):
    response = admin_client.post(URL, oidc_form(oidc_idp, enabled="on", break_glass=[str(outsider_admin.pk)]))
    assert response.status_code == 200
    assert not Employee.objects.get(pk=outsider_admin.pk).password_sign_in_allowed


def test_the_demo_organization_shows_its_sso_settings(client, db, monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setenv("DEMO_PASSWORD", "Demo-pass-123")
    call_command("seed_demo", stdout=io.StringIO())
    admin = Employee.objects.get(email="admin@acme.example")
    page = signed_in(client, admin).get(URL).content.decode()
    configuration = SsoConfiguration.objects.get(organization__slug="acme")
    assert f"http://testserver/sso/{configuration.public_id}/oidc/callback/" in page
    assert 'id="test-sign-in"' not in page  # nothing to test until the provider's values are in


def test_saml_settings_show_the_portals_values_and_read_the_idp_metadata(admin_client, acme, saml_idp):
    import httpx

    response = admin_client.post(
        URL, {"provider": "okta", "protocol": "saml", "saml_idp_metadata_url": f"{saml_idp.url}/metadata"}
    )
    assert response.status_code == 302, response.content
    configuration = SsoConfiguration.objects.get(organization=acme)
    assert "EntityDescriptor" in configuration.saml_idp_metadata_xml
    assert "PRIVATE KEY" not in configuration.saml_sp_private_key_encrypted
    assert "BEGIN PRIVATE KEY" in configuration.sp_private_key()
    page = admin_client.get(URL).content.decode()
    base = f"http://testserver/sso/{configuration.public_id}/saml"
    for value in (f"{base}/acs/", f"{base}/metadata/", "BEGIN CERTIFICATE"):
        assert value in page
    assert "PRIVATE KEY" not in page
    assert 'id="test-sign-in"' in page

    # Pasted XML works as well as a URL; something that is not SAML metadata is a form error.
    pasted = httpx.get(f"{saml_idp.url}/metadata").text
    ok = admin_client.post(URL, {"provider": "entra", "protocol": "saml", "saml_idp_metadata_xml": pasted})
    assert ok.status_code == 302
    bad = admin_client.post(
        URL, {"provider": "entra", "protocol": "saml", "saml_idp_metadata_xml": "<nope/>"}
    )
    assert bad.status_code == 200
    assert (
        b"could not be read as SAML 2.0 metadata" in bad.content
        or b"exactly one identity provider" in bad.content
    )
