"""Defect 3: the credentials page is POST → redirect → GET, and the token is handed to that GET only."""

import re

from django.urls import reverse

from integrations.models import Connection
from integrations.tests.settings_helpers import make_connection

CREATE = reverse("integrations:connection-create")
TOKEN_VALUE = re.compile(r'id="token" type="text" value="([^"]+)"')


def test_create_redirects_and_the_token_is_shown_on_the_one_get_after_it(admin_client, acme):
    response = admin_client.post(CREATE, {"name": "Okta production"})
    assert response.status_code == 302
    connection = Connection.objects.get(organization=acme)
    token = connection.tokens.get()
    assert response["Location"] == reverse("integrations:credentials", args=[connection.pk, token.pk])

    first = admin_client.get(response["Location"])
    assert "no-store" in first["Cache-Control"]
    plaintext = TOKEN_VALUE.search(first.content.decode()).group(1)
    assert token.matches(plaintext)
    # Nothing of the plaintext is left in the session once that GET has answered.
    assert plaintext not in str(dict(admin_client.session.items()))


def test_reload_shows_shown_once_state_not_a_form_error_or_a_duplicate(admin_client, acme):
    location = admin_client.post(CREATE, {"name": "Okta production"})["Location"]
    first = admin_client.get(location).content.decode()
    plaintext = TOKEN_VALUE.search(first).group(1)

    reload = admin_client.get(location)
    body = reload.content.decode()
    assert reload.status_code == 200
    assert plaintext not in body
    assert "This token was shown once; generate a new one" in body
    assert "already exists" not in body
    assert 'id="token"' not in body
    assert Connection.objects.filter(organization=acme).count() == 1


def test_new_token_goes_through_the_same_hand_over(admin_client, acme):
    connection = make_connection(acme).connection
    response = admin_client.post(reverse("integrations:token-create", args=[connection.pk]))
    assert response.status_code == 302
    body = admin_client.get(response["Location"]).content.decode()
    assert "keeps working until you revoke it" in body
    assert TOKEN_VALUE.search(body)
    assert TOKEN_VALUE.search(admin_client.get(response["Location"]).content.decode()) is None


def test_hand_over_is_for_its_own_token_only(admin_client, acme):
    """Opening another token's credentials page neither shows nor spends the waiting token."""
    connection = make_connection(acme).connection
    older = connection.tokens.get()
    location = admin_client.post(reverse("integrations:token-create", args=[connection.pk]))["Location"]
    other = admin_client.get(reverse("integrations:credentials", args=[connection.pk, older.pk]))
    assert TOKEN_VALUE.search(other.content.decode()) is None
    assert TOKEN_VALUE.search(admin_client.get(location).content.decode())


def test_an_outsider_cannot_open_the_credentials_page(client, outsider_admin, acme):
    from conftest import signed_in

    connection = make_connection(acme).connection
    url = reverse("integrations:credentials", args=[connection.pk, connection.tokens.get().pk])
    assert signed_in(client, outsider_admin).get(url).status_code == 404
