"""Who may open the Okta settings: admins and integration-permission holders of the same organization."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees.tests.factories import EmployeeFactory
from integrations.models import Connection
from integrations.tests.settings_helpers import make_connection


@pytest.fixture
def acme_connection(acme, acme_admin):
    return make_connection(acme, created_by=acme_admin.user).connection


def connection_urls(connection: Connection) -> list[tuple[str, str]]:
    """Every view and verb that takes a connection id."""
    token = connection.tokens.first()
    detail = reverse("integrations:connection", args=[connection.pk])
    delete = reverse("integrations:connection-delete", args=[connection.pk])
    token_create = reverse("integrations:token-create", args=[connection.pk])
    revoke = reverse("integrations:token-revoke", args=[connection.pk, token.pk])
    mapping = reverse("integrations:connection-mapping", args=[connection.pk])
    return [
        ("get", detail),
        ("get", reverse("integrations:credentials", args=[connection.pk, token.pk])),
        ("get", reverse("integrations:activity-export", args=[connection.pk])),
        ("get", mapping),
        ("post", mapping),
        ("get", delete),
        ("post", delete),
        ("post", token_create),
        ("get", revoke),
        ("post", revoke),
    ]


def organization_urls() -> list[tuple[str, str]]:
    return [
        ("get", reverse("integrations:index")),
        ("get", reverse("integrations:okta")),
        ("get", reverse("integrations:connection-create")),
        ("post", reverse("integrations:connection-create")),
    ]


def test_plain_employee_gets_403_everywhere(client, acme_employee, acme_connection):
    signed_in(client, acme_employee)
    for method, url in organization_urls() + connection_urls(acme_connection):
        response = getattr(client, method)(url, {"name": "Sneaky"} if method == "post" else None)
        assert response.status_code == 403, (method, url)
    acme_connection.refresh_from_db()
    assert acme_connection.deleted_at is None
    assert acme_connection.tokens.filter(revoked_at__isnull=True).count() == 1
    assert Connection.objects.count() == 1


def test_settings_link_is_hidden_from_a_plain_employee(client, acme_employee):
    body = signed_in(client, acme_employee).get(reverse("employees:directory")).content.decode()
    assert reverse("integrations:index") not in body


def test_holder_of_the_integration_permission_may_manage(client, acme, acme_connection):
    helper = EmployeeFactory(organization=acme, email="it@acme.example", can_manage_integrations=True)
    signed_in(client, helper)
    assert client.get(reverse("integrations:okta")).status_code == 200
    assert client.get(reverse("integrations:connection", args=[acme_connection.pk])).status_code == 200


def test_outsider_admin_gets_404_on_acmes_connection_for_every_view_and_verb(
    client, outsider_admin, acme_connection
):
    signed_in(client, outsider_admin)
    for method, url in connection_urls(acme_connection):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    acme_connection.refresh_from_db()
    assert acme_connection.deleted_at is None
    assert acme_connection.tokens.filter(revoked_at__isnull=True).count() == 1


def test_outsider_admin_does_not_see_acmes_connections(client, outsider_admin, acme_connection):
    body = signed_in(client, outsider_admin).get(reverse("integrations:okta")).content.decode()
    assert acme_connection.name not in body


def test_token_of_another_connection_is_404(admin_client, acme, acme_connection):
    other = make_connection(acme, name="Second").connection
    url = reverse("integrations:token-revoke", args=[acme_connection.pk, other.tokens.get().pk])
    assert admin_client.post(url).status_code == 404
    assert other.tokens.get().revoked_at is None


def test_deleted_connection_is_404(admin_client, acme_connection):
    admin_client.post(reverse("integrations:connection-delete", args=[acme_connection.pk]))
    assert admin_client.get(reverse("integrations:connection", args=[acme_connection.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, acme_connection):
    for method, url in organization_urls() + connection_urls(acme_connection):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login"))


def test_forms_are_csrf_protected(acme_admin, acme_connection):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, acme_admin)
    posts = [
        url for method, url in organization_urls() + connection_urls(acme_connection) if method == "post"
    ]
    for url in posts:
        assert client.post(url, {"name": "No token"}).status_code == 403, url
    acme_connection.refresh_from_db()
    assert acme_connection.deleted_at is None
    assert Connection.objects.count() == 1
    # The same form with the token from the page goes through.
    page = client.get(reverse("integrations:connection-create"))
    csrf = page.context["csrf_token"]
    response = client.post(
        reverse("integrations:connection-create"), {"name": "With token", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302
    assert Connection.objects.filter(name="With token").exists()


def test_pages_are_not_cached(admin_client, acme_connection):
    response = admin_client.get(reverse("integrations:connection", args=[acme_connection.pk]))
    assert "no-store" in response["Cache-Control"]


def test_refusal_is_a_portal_page_that_says_why(client, acme_employee):
    response = signed_in(client, acme_employee).get(reverse("integrations:okta"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only admins or users with the integration permission can manage integrations." in body
    assert 'class="topbar"' in body
