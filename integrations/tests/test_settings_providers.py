"""Defect 8: a tile per provider under HRIS (Okta, Microsoft Entra ID, OneLogin, JumpCloud, Other
SCIM 2.0); the provider is a property of the connection, with its own setup steps and attributes."""

import re

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import Connection
from integrations.tests.conftest import ScimClient, fixture

TOKEN_VALUE = re.compile(r'id="token" type="text" value="([^"]+)"')


def test_hris_shows_a_tile_per_provider(admin_client):
    body = admin_client.get(reverse("integrations:index")).content.decode()
    for name in ("Okta", "Microsoft Entra ID", "OneLogin", "JumpCloud", "Other SCIM 2.0"):
        assert f"<h3>{name}</h3>" in body
    for slug in ("okta", "entra", "onelogin", "jumpcloud", "scim"):
        assert reverse("integrations:provider", args=[slug]) in body


def test_tiles_count_each_providers_connections(admin_client, acme):
    services.connection_create(organization=acme, name="Entra prod", provider="entra")
    services.connection_create(organization=acme, name="Entra test", provider="entra")
    body = admin_client.get(reverse("integrations:index")).content.decode()
    entra_tile = body.split("<h3>Microsoft Entra ID</h3>")[1].split("</a>")[0]
    okta_tile = body.split("<h3>Okta</h3>")[1].split("</a>")[0]
    assert "2 connections" in entra_tile and "Not connected" in okta_tile


def test_adding_an_entra_connection_gives_entra_steps_and_attributes(admin_client, acme):
    url = reverse("integrations:provider-connection-create", args=["entra"])
    assert "Add a Microsoft Entra ID connection" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"name": "Entra production"}, follow=True)
    connection = Connection.objects.get(organization=acme)
    assert connection.provider == "entra"
    body = response.content.decode()
    assert TOKEN_VALUE.search(body)
    assert "Admin Credentials (Tenant URL and Secret Token)" in body
    assert "Set up provisioning in Microsoft Entra ID" in body and "Entra ID attribute" in body
    assert "employeeId" in body and "Test Connector Configuration" not in body

    detail = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert "Microsoft Entra ID setup steps and attribute mapping" in detail
    assert "Tenant URL" in detail and "Okta attribute" not in detail


@pytest.mark.parametrize(
    ("slug", "steps_text", "column"),
    [
        ("okta", "Test Connector Configuration", "Okta attribute"),
        ("onelogin", "SCIM Bearer Token", "OneLogin field"),
        ("jumpcloud", "Token Key", "JumpCloud attribute"),
        ("scim", "Authorization: Bearer", "Your provider’s attribute"),
    ],
)
def test_each_provider_page_has_its_own_steps(admin_client, acme, slug, steps_text, column):
    services.connection_create(organization=acme, name=f"{slug} one", provider=slug)
    body = admin_client.get(reverse("integrations:provider", args=[slug])).content.decode()
    assert steps_text in body and column in body
    assert f"{slug} one" in body


def test_a_provider_page_lists_only_its_own_connections(admin_client, acme):
    services.connection_create(organization=acme, name="The Okta one", provider="okta")
    services.connection_create(organization=acme, name="The JumpCloud one", provider="jumpcloud")
    body = admin_client.get(reverse("integrations:provider", args=["jumpcloud"])).content.decode()
    assert "The JumpCloud one" in body and "The Okta one" not in body


def test_an_unknown_provider_is_404(admin_client):
    assert admin_client.get(reverse("integrations:provider", args=["ping"])).status_code == 404
    url = reverse("integrations:provider-connection-create", args=["ping"])
    assert admin_client.post(url, {"name": "x"}).status_code == 404
    assert not Connection.objects.exists()


def test_disabled_organization_sees_contact_support_on_every_provider(admin_client, acme):
    acme.provisioning_enabled = False
    acme.save()
    body = admin_client.get(reverse("integrations:provider", args=["onelogin"])).content.decode()
    assert "Contact our support team to enable OneLogin" in body
    response = admin_client.post(
        reverse("integrations:provider-connection-create", args=["onelogin"]), {"name": "x"}
    )
    assert response["Location"] == reverse("integrations:provider", args=["onelogin"])


def test_an_entra_connection_speaks_scim_at_the_same_endpoints(client, acme):
    created = services.connection_create(organization=acme, name="Entra", provider="entra")
    scim = ScimClient(client, created.connection, created.plaintext_token)
    assert scim.post("/Users", fixture("entra_create_user.json")).status_code == 201
    assert scim.base == f"/scim/v2/{created.connection.public_id}"


def test_deleting_a_connection_returns_to_its_providers_page(admin_client, acme):
    connection = services.connection_create(organization=acme, name="JC", provider="jumpcloud").connection
    response = admin_client.post(reverse("integrations:connection-delete", args=[connection.pk]))
    assert response["Location"] == reverse("integrations:provider", args=["jumpcloud"])
