from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from employees import services
from employees.models import Employee, SignInEvent


def test_employee_signs_in_with_email_and_password(client, acme_employee):
    response = client.post(reverse("login"), {"username": "PLAIN@acme.example", "password": "pw-Plain-123"})
    assert response.status_code == 302
    assert client.get(reverse("employees:directory")).status_code == 200


def test_wrong_password_shows_a_form_error(client, acme_employee):
    response = client.post(reverse("login"), {"username": "plain@acme.example", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content


def test_deactivated_employee_sign_in_is_refused(client, acme_employee):
    services.employee_deactivate(employee=acme_employee, reason="left")
    response = client.post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_employee_is_signed_out_when_deactivated(client, acme_employee):
    client.post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
    services.employee_deactivate(employee=acme_employee, reason="left")
    response = client.get(reverse("employees:directory"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_malformed_email_on_the_sign_in_form_is_a_form_error(client, db):
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 200


def test_sign_in_starts_with_the_email_then_asks_for_the_password(client, acme_employee):
    first = client.get(reverse("login"))
    assert b'name="password"' not in first.content
    second = client.post(reverse("login"), {"username": "plain@acme.example"})
    assert second.status_code == 200
    assert b'name="password"' in second.content
    assert b"plain@acme.example" in second.content
    assert b"Forgot your password?" in second.content


def test_an_unknown_email_gets_the_password_step_too(client, db):
    response = client.post(reverse("login"), {"username": "nobody@nowhere.example"})
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_an_invalid_email_stays_on_the_email_step(client, db):
    response = client.post(reverse("login"), {"username": "not an email"})
    assert response.status_code == 200
    assert b'name="password"' not in response.content
    assert b"valid email" in response.content


def test_sso_required_refuses_passwords_except_for_break_glass_admins(
    client, acme, acme_employee, acme_admin
):
    services.employee_set_roles(employee=acme_admin, is_org_admin=True, can_manage_integrations=False)
    Employee.objects.filter(pk=acme_admin.pk).update(password_sign_in_allowed=True)
    services.organization_set_sso_required(organization=acme, required=True)
    refused = client.post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
    assert refused.status_code == 200
    assert b"signs in with single sign-on" in refused.content
    assert "_auth_user_id" not in client.session
    admin = client.post(reverse("login"), {"username": "admin@acme.example", "password": "pw-Admin-123"})
    assert admin.status_code == 302


def test_sign_in_events_are_recorded_for_the_organization(client, acme, acme_employee):
    client.post(reverse("login"), {"username": "plain@acme.example", "password": "wrong"})
    client.post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
    events = list(SignInEvent.objects.order_by("id").values_list("outcome", "method", "organization_id"))
    assert events == [("failure", "password", acme.pk), ("success", "password", acme.pk)]
    # And in the organization's audit trail, the success by the person who signed in.
    audited = list(AuditEvent.objects.filter(organization=acme).order_by("id"))
    assert [(e.action, e.actor_email) for e in audited] == [
        ("sign_in.failure", ""),
        ("sign_in.success", "plain@acme.example"),
    ]
    assert audited[1].after == {"method": "Password"}


def test_repeated_wrong_passwords_lock_the_account_out(client, acme_employee, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "plain@acme.example", "password": "wrong"})
    # From another address, with the right password: the account itself is locked.
    other = Client(REMOTE_ADDR="10.9.8.7")
    response = other.post(reverse("login"), {"username": "PLAIN@acme.example", "password": "pw-Plain-123"})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in other.session
    assert SignInEvent.objects.filter(outcome="locked_out").exists()


def test_repeated_failures_from_one_address_lock_that_address_out(client, acme_employee, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess{index}@acme.example", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
    assert response.status_code == 429
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="10.9.8.7")
        .post(reverse("login"), {"username": "plain@acme.example", "password": "pw-Plain-123"})
        .status_code
        == 302
    )
