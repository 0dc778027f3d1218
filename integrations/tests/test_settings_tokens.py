"""Defect 4: tokens an admin can tell apart: labels, "newest" and "in use" markers, expiry, and a
guided rotation that says when the old token can go."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from integrations import selectors, services
from integrations.tests.conftest import ScimClient
from integrations.tests.settings_helpers import make_connection

TOKEN_VALUE = re.compile(r'id="token" type="text" value="([^"]+)"')


@pytest.fixture
def created(acme):
    return make_connection(acme)


def detail(client, connection) -> str:
    return client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()


def generate(client, connection, **fields) -> str:
    response = client.post(reverse("integrations:token-create", args=[connection.pk]), fields)
    assert response.status_code == 302
    return TOKEN_VALUE.search(client.get(response["Location"]).content.decode()).group(1)


def token_rows(body: str) -> list[str]:
    table = body.split("token-table")[1].split("</tbody>")[0]
    return table.split("<tr>")[2:]


def test_a_new_token_takes_a_label_and_an_expiry(admin_client, created):
    connection = created.connection
    generate(admin_client, connection, label="Okta prod, May rotation", expires_in="90")
    token = connection.tokens.order_by("-id").first()
    assert token.label == "Okta prod, May rotation"
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(
        minutes=1
    )
    body = detail(admin_client, connection)
    assert "Okta prod, May rotation" in body
    assert f"Expires {token.expires_at:%-d %b %Y}" in body


def test_a_bad_label_or_expiry_is_refused_with_a_message(admin_client, created):
    connection = created.connection
    url = reverse("integrations:token-create", args=[connection.pk])
    response = admin_client.post(url, {"label": "x" * 101}, follow=True)
    assert "Use at most 100 characters for the label." in response.content.decode()
    response = admin_client.post(url, {"expires_in": "7000"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert connection.tokens.count() == 1


def test_newest_and_in_use_markers_tell_the_tokens_apart(admin_client, client, created):
    connection = created.connection
    ScimClient(client, connection, created.plaintext_token).get("/Users")  # the old one is in use
    generate(admin_client, connection, label="New one")
    old_row, new_row = reversed(token_rows(detail(admin_client, connection)))
    assert "Newest" in new_row and "In use" not in new_row
    assert "In use" in old_row and "Newest" not in old_row
    assert "by <code>GET /Users</code>" in old_row  # last used by which request


def test_guided_rotation_waits_for_the_new_token_then_offers_to_revoke_the_old(admin_client, client, created):
    connection = created.connection
    new_plaintext = generate(admin_client, connection)
    body = detail(admin_client, connection)
    assert "Rotating tokens" in body
    assert "Waiting for the identity provider to use the new token" in body
    assert "Revoke the old token</a>" not in body

    ScimClient(client, connection, new_plaintext).get("/Users")
    body = detail(admin_client, connection)
    assert "Your identity provider uses the new token" in body
    old = connection.tokens.order_by("id").first()
    assert (
        reverse("integrations:token-revoke", args=[connection.pk, old.pk]) + '">Revoke the old token' in body
    )
    # And the revoke page no longer warns.
    page = admin_client.get(
        reverse("integrations:token-revoke", args=[connection.pk, old.pk])
    ).content.decode()
    assert "has not been used yet" not in page and "other live token keeps working" in page


def test_an_expired_token_is_refused(client, created, monkeypatch):
    connection = created.connection
    issued = services.token_issue(
        connection=connection, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    scim = ScimClient(client, connection, issued.plaintext)
    assert scim.get("/Users").status_code == 200  # verified, and remembered by the worker with Redis
    later = timezone.now() + datetime.timedelta(hours=2)

    class Later:
        @staticmethod
        def now():
            return later

    monkeypatch.setattr("integrations.models.connections.timezone", Later)
    assert scim.get("/Users").status_code == 401


def test_expiry_must_be_in_the_future(created):
    with pytest.raises(ValidationError):
        services.token_issue(
            connection=created.connection, expires_at=timezone.now() - datetime.timedelta(days=1)
        )


def test_activity_can_be_filtered_by_token(admin_client, client, created):
    connection = created.connection
    new_plaintext = generate(admin_client, connection)
    ScimClient(client, connection, created.plaintext_token).get("/Users?startIndex=1&count=2")
    ScimClient(client, connection, new_plaintext).get("/Users?startIndex=1&count=3")
    new = connection.tokens.order_by("-id").first()
    rows = selectors.scim_request_list(connection=connection, token=new.pk)
    assert [row.path.endswith("count=3") for row in rows] == [True]
    response = admin_client.get(reverse("integrations:connection", args=[connection.pk]), {"token": new.pk})
    activity = response.content.decode().split("activity-table")[1]
    assert "count=3" in activity and "count=2" not in activity
