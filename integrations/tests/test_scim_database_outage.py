"""A database that goes away under a SCIM request answers 503 with Retry-After (SCIM JSON), so
identity providers retry; nothing is half-written, and the retry works once it is back.

The outage is real: on PostgreSQL the server ends the request's connection
(pg_terminate_backend, what a restart does to every connection); on SQLite the database file
cannot be opened.
"""

import psycopg
import pytest
from django.db import connection

from employees.models import Employee

from .conftest import user_payload

pytestmark = pytest.mark.django_db(transaction=True)

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def break_the_connection(monkeypatch) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/portal.sqlite3")


def test_a_database_outage_is_a_503_with_retry_after_and_the_retry_works(scim_tx, monkeypatch, settings):
    user = scim_tx.post("/Users", user_payload("ava@example.com")).body
    change = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]}
    scim_tx.flush = False  # the activity writer cannot write during the outage either

    break_the_connection(monkeypatch)
    refused = scim_tx.patch(f"/Users/{user['id']}", change)

    assert refused.status_code == 503, refused.body
    assert refused["Retry-After"] == str(settings.SCIM_RETRY_AFTER_SECONDS)
    assert refused.body["status"] == "503" and "Retry" in refused.body["detail"]

    monkeypatch.undo()  # the database is back
    connection.close()
    retried = scim_tx.patch(f"/Users/{user['id']}", change)
    assert (retried.status_code, retried.body["title"], retried.body["meta"]["version"]) == (
        200,
        "Lead",
        'W/"2"',
    )
    assert Employee.objects.get(pk=user["id"]).version == 2
