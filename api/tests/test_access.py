"""Who may call what: every endpoint and verb, for the owner's admin, an outsider, a plain employee,
and keys that no longer work."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.tests.conftest import ORG_ADMIN_ONLY, ApiClient, endpoints, issue_key
from employees import services as employee_services
from employees.tests.factories import EmployeeFactory
from integrations.models import Connection

ID_ENDPOINTS = lambda setup: [e for e in endpoints(setup) if any(ch.isdigit() for ch in e[1])]  # noqa: E731


def test_the_owner_organization_admin_may_call_every_endpoint(acme_api, acme_setup):
    for method, path, body, expected in endpoints(acme_setup):
        response = acme_api.request(method, path, body)
        assert response.status_code == expected, (method, path, response.content)


def test_an_integration_admin_may_call_every_endpoint_but_the_audit_trail(acme, acme_setup):
    holder = EmployeeFactory(organization=acme, can_manage_integrations=True, password="pw-Int-123")
    api = ApiClient(issue_key(holder))
    for method, path, body, expected in endpoints(acme_setup):
        expected = 403 if path in ORG_ADMIN_ONLY else expected
        assert api.request(method, path, body).status_code == expected, (method, path)


def test_another_organization_key_gets_404_for_every_id(outsider_api, acme_setup):
    for method, path, body, _ in ID_ENDPOINTS(acme_setup):
        response = outsider_api.request(method, path, body)
        assert response.status_code == 404, (method, path)
        assert response.body["code"] == "not_found"
    connection = Connection.objects.get(pk=acme_setup["connection"].pk)
    assert connection.deleted_at is None
    assert connection.tokens.filter(revoked_at__isnull=True).count() == 1


def test_another_organization_key_lists_only_its_own(outsider_api, outsider_admin, acme_setup):
    assert outsider_api.get("connections/").body["results"] == []
    assert outsider_api.get("audit/").body["results"] == []
    emails = [row["email"] for row in outsider_api.get("employees/").body["results"]]
    assert emails == [outsider_admin.email]
    assert outsider_api.post("connections/", {"name": "Globex Okta"}).status_code == 201
    audited = outsider_api.get("audit/").body["results"]
    assert audited and {row["actor_email"] for row in audited} == {outsider_admin.email}


def test_a_plain_employee_key_gets_403_everywhere(plain_api, acme_setup):
    for method, path, body, _ in endpoints(acme_setup):
        response = plain_api.request(method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.body["code"] == "permission_denied"
    assert Connection.objects.filter(deleted_at__isnull=True).count() == 1


def _assert_401_everywhere(api, setup, detail):
    for method, path, body, _ in endpoints(setup):
        response = api.request(method, path, body)
        assert response.status_code == 401, (method, path)
        assert response.body == {"status": 401, "code": "authentication_failed", "detail": detail}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_key_gets_401_everywhere(acme_admin, acme_setup):
    key = issue_key(acme_admin)
    from api import services

    services.api_key_revoke(api_key=ApiKey.objects.get())
    _assert_401_everywhere(ApiClient(key), acme_setup, "This API key has been revoked.")


def test_an_expired_key_gets_401_everywhere(acme_admin, acme_setup):
    key = issue_key(acme_admin, expires_at=timezone.now() + datetime.timedelta(days=1))
    ApiKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _assert_401_everywhere(ApiClient(key), acme_setup, "This API key has expired.")


def test_a_deactivated_owner_key_stops_at_once(acme_api, acme_admin, acme_setup):
    assert acme_api.get("employees/").status_code == 200
    employee_services.employee_deactivate(employee=acme_admin, reason="left")
    _assert_401_everywhere(acme_api, acme_setup, "The owner of this API key is deactivated.")


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer engapi_not-a-real-key", "Invalid API key."),
        ("Bearer engscim_a-scim-token", "Invalid API key."),
        ("Basic dXNlcjpwYXNz", "Send the API key as `Authorization: Bearer <key>`."),
    ],
)
def test_a_wrong_key_gets_401(acme_setup, header, detail):
    response = ApiClient(None).get("employees/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.body["detail"] == detail


def test_a_scim_token_is_not_an_api_key(acme_setup):
    response = ApiClient(acme_setup["scim_token"]).get("connections/")
    assert response.status_code == 401


def test_no_key_gets_401_with_a_challenge(acme_setup):
    for method, path, body, _ in endpoints(acme_setup):
        response = ApiClient(None).request(method, path, body)
        assert response.status_code == 401, (method, path)
        assert response.body["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_signed_in_browser_session_is_not_enough(admin_client, acme_setup):
    """The API takes keys only, so a page cannot be made to call it with the admin's cookie (CSRF)."""
    assert admin_client.get("/api/v1/connections/").status_code == 401
