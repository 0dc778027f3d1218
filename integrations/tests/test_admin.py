"""Support staff in Django admin: the Okta flag, connections with token metadata, revoking, activity."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from integrations import services
from integrations.models import ScimRequest
from integrations.tests.settings_helpers import make_connection, record_request


@pytest.fixture
def staff_client(client, db):
    staff = get_user_model().objects.create_superuser("support", "support@portal.example", "pw-Support-123")
    client.force_login(staff)
    return client


@pytest.fixture
def created(acme):
    return make_connection(acme, name="Okta production")


def organization_form(organization, *, provisioning_enabled: bool) -> dict:
    data = {
        "name": organization.name,
        "slug": organization.slug,
        "direct_reports_on_deactivation": organization.direct_reports_on_deactivation,
        "_save": "Save",
    }
    if provisioning_enabled:
        data["provisioning_enabled"] = "on"
    return data


def test_toggling_the_okta_flag_in_admin_flips_the_settings_page(staff_client, acme, acme_admin, created):
    portal = signed_in(Client(), acme_admin)
    change = reverse("admin:employees_organization_change", args=[acme.pk])

    assert staff_client.post(change, organization_form(acme, provisioning_enabled=False)).status_code == 302
    acme.refresh_from_db()
    assert acme.provisioning_enabled is False
    page = portal.get(reverse("integrations:okta")).content.decode()
    assert "Contact our support team to enable Okta" in page
    assert "+ Add Connection" not in page
    assert portal.post(reverse("integrations:connection-create"), {"name": "New"}).status_code == 302
    assert acme.connections.count() == 1

    assert staff_client.post(change, organization_form(acme, provisioning_enabled=True)).status_code == 302
    page = portal.get(reverse("integrations:okta")).content.decode()
    assert "Contact our support team to enable Okta" not in page
    assert "+ Add Connection" in page
    # Employees and connections were untouched by either change.
    assert services.token_authenticate(
        public_id=created.connection.public_id, plaintext=created.plaintext_token
    )


def test_toggling_the_okta_flag_in_admin_flips_scim_answers(staff_client, acme, created):
    scim = Client()
    users = f"/scim/v2/{created.connection.public_id}/Users"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {created.plaintext_token}"}
    change = reverse("admin:employees_organization_change", args=[acme.pk])
    assert scim.get(users, {"startIndex": 1, "count": 2}, **auth).status_code == 200

    staff_client.post(change, organization_form(acme, provisioning_enabled=False))
    refused = scim.get(users, {"startIndex": 1, "count": 2}, **auth)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/scim+json")

    staff_client.post(change, organization_form(acme, provisioning_enabled=True))
    assert scim.get(users, {"startIndex": 1, "count": 2}, **auth).status_code == 200


def test_connection_pages_show_token_metadata_never_secrets(staff_client, created):
    token = created.connection.tokens.get()
    pages = [
        staff_client.get(reverse("admin:integrations_connection_changelist")),
        staff_client.get(reverse("admin:integrations_connection_change", args=[created.connection.pk])),
        staff_client.get(reverse("admin:integrations_connectiontoken_changelist")),
        staff_client.get(reverse("admin:integrations_connectiontoken_change", args=[token.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert created.plaintext_token not in body
        assert token.digest not in body
    assert str(token) in pages[1].content.decode()


def test_revoke_action_on_tokens(staff_client, created):
    token = created.connection.tokens.get()
    response = staff_client.post(
        reverse("admin:integrations_connectiontoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    public_id = created.connection.public_id
    assert services.token_authenticate(public_id=public_id, plaintext=created.plaintext_token) is None


def test_revoke_all_tokens_action_on_connections(staff_client, acme, created):
    rotated = services.token_issue(connection=created.connection)
    other = make_connection(acme, name="Untouched")
    staff_client.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "revoke_all_tokens", "_selected_action": [created.connection.pk]},
    )
    public_id = created.connection.public_id
    assert services.token_authenticate(public_id=public_id, plaintext=created.plaintext_token) is None
    assert services.token_authenticate(public_id=public_id, plaintext=rotated.plaintext) is None
    assert services.token_authenticate(public_id=other.connection.public_id, plaintext=other.plaintext_token)


def test_activity_is_read_only(staff_client, created):
    entry = record_request(created.connection, status_code=400, detail="Bad filter")
    changelist = staff_client.get(reverse("admin:integrations_scimrequest_changelist"))
    assert changelist.status_code == 200
    assert "/Users" in changelist.content.decode()
    change_url = reverse("admin:integrations_scimrequest_change", args=[entry.pk])
    assert staff_client.get(change_url).status_code == 200  # viewable
    staff_client.post(change_url, {"detail": "edited", "status_code": 200})
    assert staff_client.get(reverse("admin:integrations_scimrequest_add")).status_code == 403
    assert (
        staff_client.post(
            reverse("admin:integrations_scimrequest_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    entry.refresh_from_db()
    assert (entry.detail, entry.status_code) == ("Bad filter", 400)
    assert ScimRequest.objects.count() == 1


def test_connections_cannot_be_added_in_admin(staff_client):
    assert staff_client.get(reverse("admin:integrations_connection_add")).status_code == 403


def test_support_staff_find_a_refused_create_by_the_full_address(staff_client, client, created):
    from integrations.tests.conftest import ScimClient, user_payload

    body = user_payload("Kim.Refused@example.com")
    body["name"] = "not an object"
    assert (
        ScimClient(client, created.connection, created.plaintext_token).post("/Users", body).status_code
        == 400
    )
    listing = staff_client.get(
        reverse("admin:integrations_scimrequest_changelist"), {"q": "kim.refused@example.com"}
    ).content.decode()
    assert "K***@example.com" in listing and "400" in listing
