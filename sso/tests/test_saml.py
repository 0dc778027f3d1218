"""SAML 2.0 against a real IdP process (pysaml2): SP- and IdP-initiated, and every refusal."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from employees import services
from employees.models import Employee, SignInEvent
from sso.models import PendingSamlRequest, SeenAssertion
from sso.tests.conftest import (
    idp_user,
    saml_configure,
    saml_idp_answer,
    saml_idp_initiated_answer,
    saml_sign_in,
)


@pytest.fixture
def acme_saml(acme, saml_idp, client):
    return saml_configure(saml_idp, acme, client)


@pytest.fixture
def ava(acme, saml_idp):
    idp_user(saml_idp, "ava@acme.example", first_name="Ava", last_name="Nguyen")
    return services.employee_provision(organization=acme, email="ava@acme.example", first_name="Ava")


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def test_sp_initiated_sign_in(client, acme_saml, ava):
    response = saml_sign_in(client, acme_saml, "ava@acme.example", query="?next=/settings/")
    assert response.status_code == 302, response.content
    assert response["Location"] == "/settings/"
    ava.refresh_from_db()
    assert signed_in_as(client) == ava.user_id
    assert SignInEvent.objects.filter(method="saml", outcome="success", employee=ava).exists()
    assert not PendingSamlRequest.objects.exists()  # the request is answered


def test_idp_initiated_sign_in_from_the_dashboard_tile(acme_saml, ava, saml_idp):
    client = Client()  # a browser that never visited the portal
    path, fields = saml_idp_initiated_answer(saml_idp, acme_saml, "ava@acme.example")
    response = client.post(path, fields)
    assert response.status_code == 302, response.content
    ava.refresh_from_db()
    assert signed_in_as(client) == ava.user_id


def test_the_portal_publishes_its_metadata(client, acme_saml):
    body = client.get(f"/sso/{acme_saml.public_id}/saml/metadata/").content.decode()
    assert f'entityID="http://testserver/sso/{acme_saml.public_id}/saml/metadata/"' in body
    assert f"http://testserver/sso/{acme_saml.public_id}/saml/acs/" in body
    certificate_body = "".join(acme_saml.saml_sp_certificate.strip().splitlines()[1:-1])
    assert certificate_body[:60] in body


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong_audience", "audience"),
        ("wrong_issuer", "another identity provider"),
        ("expired", "validity window"),
        ("unsigned", "not signed"),
        ("wrong_key", "signature"),
        ("tampered", "signature"),
    ],
)
def test_a_bad_response_is_refused_with_a_clear_page(client, acme_saml, ava, saml_idp, mode, reason):
    saml_idp.mode(mode, "admin@acme.example")
    response = saml_sign_in(client, acme_saml, "ava@acme.example")
    assert response.status_code == 403, response.content
    assert reason in response.content.decode()
    assert signed_in_as(client) is None
    assert Employee.objects.get(pk=ava.pk).user_id is None
    assert SignInEvent.objects.filter(method="saml", outcome="failure").exists()


def test_a_replayed_assertion_is_refused(acme_saml, ava):
    path, fields = saml_idp_answer(Client(), acme_saml, "ava@acme.example")
    first = Client().post(path, fields)
    assert first.status_code == 302
    replay = Client()
    second = replay.post(path, fields)
    assert second.status_code == 403
    assert b"already used" in second.content
    assert signed_in_as(replay) is None


def test_a_replayed_idp_initiated_assertion_is_refused(acme_saml, ava, saml_idp):
    path, fields = saml_idp_initiated_answer(saml_idp, acme_saml, "ava@acme.example")
    assert Client().post(path, fields).status_code == 302
    second = Client().post(path, fields)
    assert second.status_code == 403
    assert b"already used" in second.content
    assert SeenAssertion.objects.count() == 1


def test_a_response_to_a_request_not_made_here_is_refused(client, acme_saml, ava, outsider_org, saml_idp):
    """InResponseTo names a request of another organization's configuration."""
    globex = saml_configure(saml_idp, outsider_org, client)
    path, fields = saml_idp_answer(Client(), globex, "ava@acme.example")
    response = client.post(path.replace(globex.public_id, acme_saml.public_id), fields)
    assert response.status_code == 403
    assert b"not started here" in response.content


def test_another_organizations_idp_signs_nobody_in_here(client, acme_saml, ava, outsider_org, saml_idp):
    """Globex's SAML app vouches for an Acme email: Globex has no such employee."""
    globex = saml_configure(saml_idp, outsider_org, client)
    response = saml_sign_in(client, globex, "ava@acme.example")
    assert response.status_code == 403
    assert b"is not an employee of Globex" in response.content


def test_an_unknown_email_is_refused_and_nothing_is_created(client, acme_saml, saml_idp):
    idp_user(saml_idp, "stranger@acme.example")
    before = Employee.objects.count()
    response = saml_sign_in(client, acme_saml, "stranger@acme.example")
    assert response.status_code == 403
    assert Employee.objects.count() == before


def test_a_deactivated_employee_is_refused(client, acme_saml, ava):
    services.employee_deactivate(employee=ava, reason="left")
    response = saml_sign_in(client, acme_saml, "ava@acme.example")
    assert response.status_code == 403
    assert b"deactivated" in response.content


@pytest.mark.parametrize("body", [{}, {"SAMLResponse": "not base64 at all"}, {"SAMLResponse": "PGZvbz4="}])
def test_garbage_at_the_acs_is_a_clear_refusal(client, acme_saml, body):
    response = client.post(f"/sso/{acme_saml.public_id}/saml/acs/", body)
    assert response.status_code == 403
    assert b"We could not sign you in" in response.content


def test_test_sign_in_reports_the_assertion_without_signing_in(acme, saml_idp, ava):
    from conftest import signed_in
    from employees.tests.factories import EmployeeFactory

    admin = EmployeeFactory(organization=acme, email="boss@acme.example", is_org_admin=True)
    client = signed_in(Client(), admin)
    configuration = saml_configure(saml_idp, acme, client, enabled=False)
    report = saml_sign_in(client, configuration, "ava@acme.example", query="?test=1")
    assert report.status_code == 200, report.content
    body = report.content.decode()
    assert "Would sign in as Ava" in body and "firstName" in body
    assert signed_in_as(client) == admin.user_id
    # IdP-initiated while single sign-on is off: refused.
    path, fields = saml_idp_initiated_answer(saml_idp, configuration, "ava@acme.example")
    assert Client().post(path, fields).status_code == 403
