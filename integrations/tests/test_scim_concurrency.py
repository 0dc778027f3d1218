"""Twenty simultaneous creates of one userName: exactly one 201, the rest 409, one row, no 500.

The concurrent variant needs a database that serves concurrent connections (PostgreSQL, as in
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


def post(url: str, token: str, body: bytes) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("mode", ["concurrent" if ON_POSTGRESQL else "sequential-on-sqlite"])
@pytest.mark.django_db(transaction=True)
def test_same_username_created_once(mode, live_server, acme):
    created = services.connection_create(organization=acme, name="Okta")
    url = f"{live_server.url}/scim/v2/{created.connection.public_id}/Users"
    body = json.dumps(user_payload("race@example.com")).encode()
    statuses: list[int] = []

    if mode == "concurrent":
        barrier = threading.Barrier(ATTEMPTS)

        def attempt():
            barrier.wait(timeout=30)
            statuses.append(post(url, created.plaintext_token, body))

        threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        statuses = [post(url, created.plaintext_token, body) for _ in range(ATTEMPTS)]

    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1)
    assert Employee.objects.filter(organization=acme, username__iexact="race@example.com").count() == 1
