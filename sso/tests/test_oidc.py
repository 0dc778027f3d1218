"""OpenID Connect against a real provider process (Authlib): the happy path and every refusal."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from employees import services
from employees.models import Employee, SignInEvent, UserSession
from employees.tests.factories import EmployeeFactory
from sso.tests.conftest import idp_user, oidc_configure, oidc_sign_in


@pytest.fixture
def acme_oidc(acme, oidc_idp):
    return oidc_configure(oidc_idp, acme)


@pytest.fixture
def ava(acme, oidc_idp):
    idp_user(oidc_idp, "ava@acme.example", given_name="Ava", family_name="Nguyen")
    # As an identity provider provisions people: no login account until they first sign in.
    return services.employee_provision(organization=acme, email="ava@acme.example", first_name="Ava")


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def test_provisioned_employee_signs_in_through_the_provider(client, acme_oidc, ava):
    response = oidc_sign_in(client, acme_oidc, "ava@acme.example")
    assert response.status_code == 302
    assert response["Location"] == "/employees/"
    ava.refresh_from_db()
    assert signed_in_as(client) == ava.user_id
    assert client.get("/employees/").status_code == 200
    event = SignInEvent.objects.get(outcome="success")
    assert (event.method, event.employee_id, event.organization_id) == ("oidc", ava.pk, ava.organization_id)


def test_the_start_page_sends_pkce_state_and_nonce(client, acme_oidc):
    location = client.get(f"/sso/{acme_oidc.public_id}/start/?login_hint=ava@acme.example")["Location"]
    for part in (
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "login_hint=ava%40acme.example",
    ):
        assert part in location


def test_next_page_is_kept_through_the_round_trip(client, acme_oidc, ava):
    response = oidc_sign_in(client, acme_oidc, "ava@acme.example", query="?next=/settings/")
    assert response["Location"] == "/settings/"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong_audience", "issued for another application"),
        ("wrong_issuer", "comes from another issuer"),
        ("expired", "has expired"),
        ("unsigned", "signature is missing or does not verify"),
        ("wrong_key", "signature is missing or does not verify"),
        ("tampered", "signature is missing or does not verify"),
        ("nonce_mismatch", "nonce does not match"),
    ],
)
def test_a_bad_id_token_is_refused_with_a_clear_page(client, acme_oidc, ava, oidc_idp, mode, reason):
    oidc_idp.mode(mode, "admin@acme.example")
    response = oidc_sign_in(client, acme_oidc, "ava@acme.example")
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert signed_in_as(client) is None
    assert Employee.objects.get(pk=ava.pk).user_id is None  # nothing created
    assert SignInEvent.objects.filter(
        outcome="failure", method="oidc", organization=acme_oidc.organization
    ).exists()


def test_a_callback_with_another_state_is_refused(client, acme_oidc, ava, oidc_idp):
    client.get(f"/sso/{acme_oidc.public_id}/start/")
    response = client.get(f"/sso/{acme_oidc.public_id}/oidc/callback/?code=abc&state=forged")
    assert response.status_code == 403
    assert b"state mismatch" in response.content
    # A callback in a browser that never started the sign-in (login CSRF) is refused the same way.
    assert Client().get(f"/sso/{acme_oidc.public_id}/oidc/callback/?code=abc&state=x").status_code == 403


def test_an_unknown_email_is_refused_when_just_in_time_creation_is_off(client, acme_oidc, oidc_idp):
    idp_user(oidc_idp, "stranger@acme.example")
    before = Employee.objects.count()
    response = oidc_sign_in(client, acme_oidc, "stranger@acme.example")
    assert response.status_code == 403
    assert b"is not an employee of Acme" in response.content
    assert Employee.objects.count() == before


def test_just_in_time_creation_makes_the_employee(client, acme, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme, jit_create=True, email_domains="acme.example")
    idp_user(oidc_idp, "newbie@acme.example", given_name="New", family_name="Bie")
    response = oidc_sign_in(client, configuration, "newbie@acme.example")
    assert response.status_code == 302
    employee = Employee.objects.get(organization=acme, email="newbie@acme.example")
    assert (employee.first_name, employee.last_name) == ("New", "Bie")
    assert signed_in_as(client) == employee.user_id


def test_just_in_time_creation_keeps_to_the_organizations_domains(client, acme, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme, jit_create=True, email_domains="acme.example")
    idp_user(oidc_idp, "someone@elsewhere.example")
    response = oidc_sign_in(client, configuration, "someone@elsewhere.example")
    assert response.status_code == 403
    assert not Employee.objects.filter(email="someone@elsewhere.example").exists()


def test_a_deactivated_employee_is_refused(client, acme_oidc, ava):
    services.employee_deactivate(employee=ava, reason="left")
    response = oidc_sign_in(client, acme_oidc, "ava@acme.example")
    assert response.status_code == 403
    assert b"deactivated" in response.content
    assert signed_in_as(client) is None


def test_another_organizations_provider_signs_nobody_in_here(client, acme, outsider_org, oidc_idp, ava):
    """Globex's identity provider vouches for an Acme email: Globex has no such employee."""
    globex = oidc_configure(oidc_idp, outsider_org)
    response = oidc_sign_in(client, globex, "ava@acme.example")
    assert response.status_code == 403
    assert b"is not an employee of Globex" in response.content
    assert signed_in_as(client) is None


def test_a_state_from_one_organization_is_refused_at_anothers_callback(
    client, acme_oidc, outsider_org, oidc_idp
):
    globex = oidc_configure(oidc_idp, outsider_org)
    state = dict(
        part.split("=", 1)
        for part in client.get(f"/sso/{acme_oidc.public_id}/start/")["Location"].split("?")[1].split("&")
    )["state"]
    response = client.get(f"/sso/{globex.public_id}/oidc/callback/?code=abc&state={state}")
    assert response.status_code == 403


def test_sessions_started_by_sso_end_when_the_employee_is_deactivated(
    client, acme_oidc, ava, django_capture_on_commit_callbacks, eager_tasks
):
    oidc_sign_in(client, acme_oidc, "ava@acme.example")
    ava.refresh_from_db()
    assert UserSession.objects.filter(user_id=ava.user_id).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_deactivate(employee=ava, reason="left")
    assert UserSession.objects.filter(user_id=ava.user_id).count() == 0
    assert client.get("/employees/").status_code == 302


def test_sso_off_means_no_start(client, acme, oidc_idp):
    configuration = oidc_configure(oidc_idp, acme, enabled=False)
    assert client.get(f"/sso/{configuration.public_id}/start/").status_code == 404
    assert client.get("/sso/nope/start/").status_code == 404


def test_test_sign_in_reports_what_the_provider_sent_without_signing_in(acme, oidc_idp, ava):
    from conftest import signed_in

    admin = EmployeeFactory(
        organization=acme, email="boss@acme.example", is_org_admin=True, password="pw-Boss-123"
    )
    configuration = oidc_configure(oidc_idp, acme, enabled=False)
    client = signed_in(Client(), admin)
    report = oidc_sign_in(client, configuration, "ava@acme.example", query="?test=1")
    assert report.status_code == 200
    body = report.content.decode()
    assert "ava@acme.example" in body and "Would sign in as Ava" in body
    assert signed_in_as(client) == admin.user_id  # still the admin
    assert Employee.objects.get(pk=ava.pk).user_id is None  # nothing created
    # Not an admin of this organization: no test sign-in.
    assert Client().get(f"/sso/{configuration.public_id}/start/?test=1").status_code == 404


def test_entra_style_tokens_without_email_use_preferred_username():
    from sso.oidc import _email

    assert _email({"email": "a@x.example", "preferred_username": "b@x.example"}) == "a@x.example"
    assert _email({"preferred_username": "b@x.example"}) == "b@x.example"
    assert _email({"preferred_username": "not-an-email"}) == ""
