"""Verified tokens kept in memory: no token query while the auth epoch stands, and every change
that can end a token's validity (revoke, connection delete, the Okta flag in admin) answered on
the very next request.

These run on a real Redis: REDIS_URL when set (CI), else the machine's (as the worker tests do),
under an epoch key of their own so parallel tests' bumps cannot interfere.
"""

import uuid

import pytest
import redis
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employees.tests.worker_harness import broker_url
from engagedly_portal import optional_redis
from integrations import auth_epoch, services
from integrations.models import ConnectionToken
from integrations.scim import auth, backend

from .conftest import ScimClient
from .test_admin import organization_form


@pytest.fixture
def epoch_redis(settings, monkeypatch):
    settings.REDIS_URL = broker_url()
    key = f"test-scim-auth-epoch:{uuid.uuid4().hex}"
    monkeypatch.setattr(auth_epoch, "EPOCH_KEY", key)
    monkeypatch.setattr(auth, "EPOCH_KEY", key)
    client = redis.Redis.from_url(settings.REDIS_URL)
    monkeypatch.setattr(optional_redis, "_client", client)
    monkeypatch.setattr(backend.tokens, "_VERIFIED", {})
    yield client
    client.delete(key)


@pytest.fixture
def scim(client, acme, epoch_redis):
    created = services.connection_create(organization=acme, name="Okta")
    return ScimClient(client, created.connection, created.plaintext_token)


def token_queries(scim, path="/Users"):
    """The response, and how many of its SQL statements read the token table."""
    with CaptureQueriesContext(connection) as queries:
        response = scim.get(path)
    table = ConnectionToken._meta.db_table
    return response, sum(1 for query in queries if f'FROM "{table}"' in query["sql"])


def test_a_verified_token_is_not_queried_again_while_the_epoch_stands(scim):
    # The first request starts the epoch (nothing may be cached under none); the next verify and cache.
    assert token_queries(scim)[1] == 1
    assert token_queries(scim)[1] == 1

    response, queried = token_queries(scim)

    assert response.status_code == 200
    assert queried == 0


def test_a_new_epoch_sends_the_next_request_back_to_the_database(scim, epoch_redis):
    token_queries(scim), token_queries(scim)
    epoch_redis.set(auth_epoch.EPOCH_KEY, "set-by-another-process")

    assert token_queries(scim)[1] == 1


def test_a_cached_token_expires_after_the_configured_seconds(scim, settings):
    token_queries(scim), token_queries(scim)
    settings.SCIM_TOKEN_CACHE_SECONDS = 0

    assert token_queries(scim)[1] == 1


def test_revoked_token_is_401_on_the_very_next_request(scim):
    token_queries(scim), token_queries(scim)
    token = ConnectionToken.objects.get(connection=scim.connection)

    services.token_revoke(token=token)

    assert scim.get("/Users").status_code == 401


def test_deleted_connection_is_401_on_the_very_next_request(scim):
    token_queries(scim), token_queries(scim)

    services.connection_delete(connection=scim.connection)

    assert scim.get("/Users").status_code == 401


def test_another_connections_url_is_401_even_with_the_token_cached(scim, acme):
    token_queries(scim), token_queries(scim)
    other = services.connection_create(organization=acme, name="Second")
    scim.base = f"/scim/v2/{other.connection.public_id}"

    assert scim.get("/Users").status_code == 401


@pytest.fixture
def staff_client(db):
    from django.test import Client

    staff = get_user_model().objects.create_superuser("support", "support@portal.example", "pw-Support-123")
    client = Client()
    client.force_login(staff)
    return client


def test_okta_flag_off_in_the_change_form_is_403_on_the_very_next_request(scim, staff_client, acme):
    token_queries(scim), token_queries(scim)
    change = reverse("admin:employees_organization_change", args=[acme.pk])

    assert staff_client.post(change, organization_form(acme, provisioning_enabled=False)).status_code == 302

    assert scim.get("/Users").status_code == 403


def test_okta_flag_off_in_the_admin_list_is_403_on_the_very_next_request(scim, staff_client, acme):
    token_queries(scim), token_queries(scim)
    changelist = reverse("admin:employees_organization_changelist")
    # The list's editable provisioning_enabled column, as the admin posts it (checkbox left unticked).
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(acme.pk),
        "_save": "Save",
    }

    assert staff_client.post(changelist, form).status_code == 302
    acme.refresh_from_db()
    assert acme.provisioning_enabled is False

    assert scim.get("/Users").status_code == 403


def test_without_redis_every_request_checks_the_token_in_the_database(scim, settings):
    settings.REDIS_URL = ""
    token_queries(scim)

    assert token_queries(scim)[1] == 1
