from django.urls import reverse

from employees import services


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
