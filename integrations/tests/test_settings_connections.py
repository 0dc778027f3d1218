"""Adding, rotating, revoking and deleting Okta connections from Settings > Integrations > Okta."""

import re

from django.urls import reverse

from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import services
from integrations.models import Connection, ConnectionToken, ProvisionedEmployee
from integrations.tests.settings_helpers import make_connection, record_request

CREATE = reverse("integrations:connection-create")


def credentials_from(body: str) -> tuple[str, str]:
    base_url = re.search(r'id="base-url" type="text" value="([^"]+)"', body).group(1)
    token = re.search(r'id="token" type="text" value="([^"]+)"', body).group(1)
    return base_url, token


def test_okta_card_asks_to_add_a_connection_when_there_is_none(admin_client):
    body = admin_client.get(reverse("integrations:okta")).content.decode()
    assert "+ Add Connection" in body
    assert "Contact our support team" not in body


def test_okta_card_explains_that_support_enables_okta(admin_client, acme):
    acme.provisioning_enabled = False
    acme.save()
    body = admin_client.get(reverse("integrations:okta")).content.decode()
    assert "Contact our support team to enable Okta" in body
    assert "+ Add Connection" not in body
    assert "Not enabled" in admin_client.get(reverse("integrations:index")).content.decode()


def test_adding_a_connection_is_refused_until_support_enables_okta(admin_client, acme):
    acme.provisioning_enabled = False
    acme.save()
    response = admin_client.post(CREATE, {"name": "Okta"})
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:okta")
    assert not Connection.objects.exists()


def test_add_connection_shows_base_url_and_token_once(admin_client, acme, acme_admin):
    response = admin_client.post(CREATE, {"name": "Okta production"}, follow=True)
    assert response.redirect_chain[0][1] == 302  # POST → redirect → GET (defect 3)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    base_url, token = credentials_from(body)
    connection = Connection.objects.get(organization=acme)
    assert connection.name == "Okta production"
    assert connection.created_by == acme_admin.user
    assert base_url == f"http://testserver/scim/v2/{connection.public_id}"
    assert services.token_authenticate(public_id=connection.public_id, plaintext=token) is not None
    assert "shown only this once" in body
    assert "userName" in body and "Test Connector Configuration" in body and "HTTP Header" in body
    assert "Employee Number" in body and "manager.value" in body  # the default mapping table
    # Afterwards the token is never shown again: not on the list, not on the connection page.
    for url in (reverse("integrations:okta"), reverse("integrations:connection", args=[connection.pk])):
        page = admin_client.get(url).content.decode()
        assert token not in page
        assert connection.name in page


def test_base_url_uses_public_base_url_when_set(admin_client, settings):
    settings.PUBLIC_BASE_URL = "https://hr.example.com"
    base_url, _ = credentials_from(admin_client.post(CREATE, {"name": "Okta"}, follow=True).content.decode())
    assert base_url.startswith("https://hr.example.com/scim/v2/")


def test_name_is_required(admin_client):
    response = admin_client.post(CREATE, {"name": "   "})
    assert response.status_code == 200
    assert "Enter a name for the connection." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Connection.objects.exists()


def test_name_is_at_most_100_characters(admin_client):
    response = admin_client.post(CREATE, {"name": "x" * 101})
    assert "Use at most 100 characters" in response.content.decode()
    assert not Connection.objects.exists()
    assert admin_client.post(CREATE, {"name": "x" * 100}).status_code == 302
    assert Connection.objects.count() == 1


def test_name_is_unique_in_the_organization_ignoring_case(admin_client, acme, outsider_org):
    make_connection(acme, name="Okta production")
    make_connection(outsider_org, name="Okta staging")
    response = admin_client.post(CREATE, {"name": "OKTA Production"})
    assert "A connection with this name already exists." in response.content.decode()
    assert Connection.objects.filter(organization=acme).count() == 1
    # Another organization's names do not count.
    admin_client.post(CREATE, {"name": "Okta staging"})
    assert Connection.objects.filter(organization=acme).count() == 2


def test_name_of_a_deleted_connection_can_be_used_again(admin_client, acme):
    old = make_connection(acme, name="Okta").connection
    services.connection_delete(connection=old)
    admin_client.post(CREATE, {"name": "okta"})
    assert Connection.objects.filter(organization=acme, deleted_at__isnull=True).get().name == "okta"


def test_connection_name_with_script_renders_as_text(admin_client, acme):
    name = '<script>alert("x")</script>'
    created = admin_client.post(CREATE, {"name": name}, follow=True).content.decode()
    connection = Connection.objects.get(organization=acme)
    pages = [
        created,
        admin_client.get(reverse("integrations:okta")).content.decode(),
        admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode(),
        admin_client.get(reverse("integrations:connection-delete", args=[connection.pk])).content.decode(),
    ]
    for body in pages:
        assert name not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_rotation_keeps_the_old_token_working_until_it_is_revoked(admin_client, acme):
    created = make_connection(acme)
    connection = created.connection
    old = created.plaintext_token

    response = admin_client.post(reverse("integrations:token-create", args=[connection.pk]), follow=True)
    assert response.status_code == 200
    _, new = credentials_from(response.content.decode())
    assert new != old
    assert "keeps working until you revoke it" in response.content.decode()
    assert services.token_authenticate(public_id=connection.public_id, plaintext=old) is not None
    assert services.token_authenticate(public_id=connection.public_id, plaintext=new) is not None

    old_token = ConnectionToken.objects.get(connection=connection, lookup=old[len("engscim_") :][:12])
    revoke = reverse("integrations:token-revoke", args=[connection.pk, old_token.pk])
    assert "has not been used yet" in admin_client.get(revoke).content.decode()  # the guided rotation warns
    assert admin_client.post(revoke).status_code == 302
    assert services.token_authenticate(public_id=connection.public_id, plaintext=old) is None
    assert services.token_authenticate(public_id=connection.public_id, plaintext=new) is not None


def test_rotation_over_http_old_token_answers_until_revoked(admin_client, acme):
    from django.test import Client

    created = make_connection(acme)
    connection = created.connection
    scim = Client()
    users = f"/scim/v2/{connection.public_id}/Users"

    def status(token: str) -> int:
        return scim.get(
            users, {"startIndex": 1, "count": 2}, HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code

    _, new = credentials_from(
        admin_client.post(
            reverse("integrations:token-create", args=[connection.pk]), follow=True
        ).content.decode()
    )
    assert (status(created.plaintext_token), status(new)) == (200, 200)
    old_token = connection.tokens.order_by("created_at", "id").first()
    admin_client.post(reverse("integrations:token-revoke", args=[connection.pk, old_token.pk]))
    assert (status(created.plaintext_token), status(new)) == (401, 200)
    admin_client.post(reverse("integrations:connection-delete", args=[connection.pk]))
    assert status(new) == 401


def test_a_third_live_token_is_refused_with_a_message(admin_client, acme):
    connection = make_connection(acme).connection
    services.token_issue(connection=connection)
    response = admin_client.post(reverse("integrations:token-create", args=[connection.pk]), follow=True)
    assert "at most 2 live tokens" in response.content.decode()
    assert connection.tokens.filter(revoked_at__isnull=True).count() == 2


def test_revoking_the_last_live_token_warns_that_syncing_stops(admin_client, acme):
    connection = make_connection(acme).connection
    token = connection.tokens.get()
    body = admin_client.get(
        reverse("integrations:token-revoke", args=[connection.pk, token.pk])
    ).content.decode()
    assert "only live token" in body


def test_token_list_shows_created_and_last_used(admin_client, acme):
    connection = make_connection(acme).connection
    token = connection.tokens.get()
    page = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert "Never" in page
    record_request(connection, token=token)
    page = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert "just now" in page


def test_delete_needs_confirmation_and_says_what_happens(admin_client, acme):
    connection = make_connection(acme).connection
    url = reverse("integrations:connection-delete", args=[connection.pk])
    body = admin_client.get(url).content.decode()
    assert "Syncing stops at once" in body
    assert "Employees already synced stay exactly as they are" in body
    connection.refresh_from_db()
    assert connection.deleted_at is None


def test_delete_stops_syncing_and_leaves_employees_as_they_are(admin_client, acme):
    created = make_connection(acme)
    connection = created.connection
    synced = EmployeeFactory(organization=acme, email="ava@acme.example")
    ProvisionedEmployee.objects.create(employee=synced, connection=connection)
    response = admin_client.post(reverse("integrations:connection-delete", args=[connection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:okta")
    assert (
        services.token_authenticate(public_id=connection.public_id, plaintext=created.plaintext_token) is None
    )
    synced.refresh_from_db()
    assert synced.status == Employee.Status.ACTIVE
    okta_page = admin_client.get(reverse("integrations:okta")).content.decode()
    assert reverse("integrations:connection", args=[connection.pk]) not in okta_page
    assert "Connect Okta" in okta_page
    directory = admin_client.get(reverse("employees:directory")).content.decode()
    assert "ava@acme.example" in directory


def test_only_get_and_post_are_allowed(admin_client, acme):
    connection = make_connection(acme).connection
    assert (
        admin_client.put(reverse("integrations:connection-delete", args=[connection.pk])).status_code == 405
    )
    assert admin_client.get(reverse("integrations:token-create", args=[connection.pk])).status_code == 405
