"""Connections and SCIM tokens through the API, checked against what SCIM then accepts."""

from django.test import Client

from integrations.models import Connection, ConnectionToken


def scim_get_users(base_url: str, token: str):
    path = base_url.split("testserver", 1)[1]
    return Client().get(f"{path}/Users", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_create_returns_the_base_url_and_a_token_that_works_once_shown(acme_api, acme):
    response = acme_api.post("connections/", {"name": "Okta production"})
    assert response.status_code == 201
    body = response.body
    connection = Connection.objects.get(organization=acme)
    assert body["id"] == connection.pk
    assert body["base_url"] == f"http://testserver/scim/v2/{connection.public_id}"
    assert body["token"].startswith("engscim_")
    assert scim_get_users(body["base_url"], body["token"]).status_code == 200
    # Never shown again: the list and the detail carry no secret.
    listed = acme_api.get(f"connections/{connection.pk}/tokens/").body["results"][0]
    assert body["token"] not in str(acme_api.get("connections/").body)
    assert body["token"] not in str(listed)
    assert listed["prefix"] == str(ConnectionToken.objects.get())


def test_list_and_detail_show_what_the_okta_page_shows(acme_api, acme_setup):
    connection = acme_setup["connection"]
    listed = acme_api.get("connections/").body
    assert listed["next"] is None and listed["previous"] is None
    [row] = listed["results"]
    assert row == acme_api.get(f"connections/{connection.pk}/").body
    assert row["name"] == "Okta production"
    assert row["status"] == "connected"
    assert row["live_tokens"] == 1
    assert row["base_url"].endswith(f"/scim/v2/{connection.public_id}")


def test_a_duplicate_name_is_a_400_with_the_field(acme_api, acme_setup):
    response = acme_api.post("connections/", {"name": "okta PRODUCTION"})
    assert response.status_code == 400
    assert response.body == {
        "status": 400,
        "code": "invalid",
        "detail": "The request is not valid.",
        "fields": {"name": ["A connection with this name already exists."]},
    }


def test_a_missing_name_is_a_400(acme_api):
    response = acme_api.post("connections/", {})
    assert response.status_code == 400
    assert list(response.body["fields"]) == ["name"]


def test_credentials_need_okta_enabled_by_support(acme_api, acme, acme_setup):
    acme.provisioning_enabled = False
    acme.save()
    for path in ("connections/", f"connections/{acme_setup['connection'].pk}/tokens/"):
        response = acme_api.post(path, {"name": "Another"})
        assert response.status_code == 403
        assert "Contact our support team" in response.body["detail"]
    assert acme_api.get("connections/").status_code == 200


def test_delete_stops_the_token_at_once(acme_api, acme_setup):
    connection = acme_setup["connection"]
    base = f"http://testserver/scim/v2/{connection.public_id}"
    assert scim_get_users(base, acme_setup["scim_token"]).status_code == 200
    assert acme_api.delete(f"connections/{connection.pk}/").status_code == 204
    assert scim_get_users(base, acme_setup["scim_token"]).status_code == 401
    assert acme_api.get(f"connections/{connection.pk}/").status_code == 404
    assert acme_api.delete(f"connections/{connection.pk}/").status_code == 404


def test_issue_then_revoke_a_token(acme_api, acme_setup):
    connection = acme_setup["connection"]
    base = f"http://testserver/scim/v2/{connection.public_id}"
    issued = acme_api.post(f"connections/{connection.pk}/tokens/")
    assert issued.status_code == 201
    assert scim_get_users(base, issued.body["token"]).status_code == 200
    # Two live tokens at most, as on the page.
    third = acme_api.post(f"connections/{connection.pk}/tokens/")
    assert third.status_code == 400
    assert "at most 2 live tokens" in third.body["fields"]["non_field_errors"][0]

    assert acme_api.delete(f"connections/{connection.pk}/tokens/{issued.body['id']}/").status_code == 204
    assert scim_get_users(base, issued.body["token"]).status_code == 401
    assert scim_get_users(base, acme_setup["scim_token"]).status_code == 200
    tokens = acme_api.get(f"connections/{connection.pk}/tokens/").body["results"]
    assert [t["revoked_at"] is not None for t in tokens] == [True, False]


def test_a_token_of_another_connection_is_404(acme_api, acme, acme_setup):
    other = acme_api.post("connections/", {"name": "Second"}).body
    token = acme_setup["token"]
    assert acme_api.delete(f"connections/{other['id']}/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
