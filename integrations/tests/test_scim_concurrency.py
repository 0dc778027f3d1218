"""Simultaneous requests for one user: twenty creates of one userName give exactly one 201 and
the rest 409, one row, no 500; thirty PATCHes of one user all succeed, one after the other.

The concurrent variants needs a database that serves concurrent connections (PostgreSQL, as in
CI); on SQLite the same requests are sent one after the other. The variant that runs is in the
test id, so a run on SQLite says so instead of skipping.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from employees.models import Employee
from integrations import services

from .conftest import user_payload

ATTEMPTS = 20
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def send(url: str, token: str, body: bytes, method: str = "POST") -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def post(url: str, token: str, body: bytes) -> int:
    return send(url, token, body)[0]


def at_once(calls: list) -> list:
    """Run the calls in threads released together; their results, in completion order."""
    results: list = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        try:
            results.append(call())
        except Exception as exc:  # reported, not lost with its thread
            results.append((0, {"error": repr(exc)}))

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("mode", ["concurrent" if ON_POSTGRESQL else "sequential-on-sqlite"])
@pytest.mark.django_db(transaction=True)
def test_same_username_created_once(mode, live_server, acme):
    created = services.connection_create(organization=acme, name="Okta")
    url = f"{live_server.url}/scim/v2/{created.connection.public_id}/Users"
    body = json.dumps(user_payload("race@example.com")).encode()
    statuses: list[int] = []

    if mode == "concurrent":
        statuses = at_once([lambda: post(url, created.plaintext_token, body)] * ATTEMPTS)
    else:
        statuses = [post(url, created.plaintext_token, body) for _ in range(ATTEMPTS)]

    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1)
    assert Employee.objects.filter(organization=acme, username__iexact="race@example.com").count() == 1


PATCHES = 30


@pytest.mark.parametrize("mode", ["concurrent" if ON_POSTGRESQL else "sequential-on-sqlite"])
@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_of_one_user_all_succeed_one_after_the_other(mode, live_server, acme):
    created = services.connection_create(organization=acme, name="Okta")
    base = f"{live_server.url}/scim/v2/{created.connection.public_id}/Users"
    token = created.plaintext_token
    status, user = send(base, token, json.dumps(user_payload("busy@example.com")).encode())
    assert status == 201

    def patch(n: int):
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": f"Title {n}"}],
        }
        return lambda: send(f"{base}/{user['id']}", token, json.dumps(body).encode(), method="PATCH")

    calls = [patch(n) for n in range(PATCHES)]
    results = at_once(calls) if mode == "concurrent" else [call() for call in calls]

    assert [status for status, _ in results] == [200] * PATCHES, [r for r in results if r[0] != 200]
    # Each PATCH wrote on top of the one before it: one version each, none lost or shared.
    versions = sorted(int(body["meta"]["version"].strip('W/"')) for _, body in results)
    assert versions == list(range(2, PATCHES + 2))
    last = next(body for _, body in results if body["meta"]["version"] == f'W/"{PATCHES + 1}"')
    stored = Employee.objects.get(pk=user["id"])
    assert (stored.version, stored.job_title) == (PATCHES + 1, last["title"])
