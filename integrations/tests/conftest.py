import json
from pathlib import Path

import pytest
from django.db import connection

from employees.models import Employee
from integrations import services
from integrations.activity_log import activity_log

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str, **placeholders: str):
    """A stored IdP payload; `user_id="7"` replaces "<user id>" in it."""
    text = (FIXTURES / name).read_text()
    for key, value in placeholders.items():
        text = text.replace(f"<{key.replace('_', ' ')}>", value)
    return json.loads(text)


class ScimClient:
    """A SCIM client bound to one connection's base URL and token, like an IdP is.

    Each request's activity record is queued by the server as in production; the client then has
    the batch writer flush it (`flush=False` leaves it queued), so tests read it at once.
    """

    def __init__(self, client, connection, token, prefix="Bearer ", flush=True):
        self.flush = flush
        self.client = client
        self.connection = connection
        self.token = token
        self.base = f"/scim/v2/{connection.public_id}"
        self.auth = f"{prefix}{token}"

    def request(self, method, path, body=None, headers=None, content_type="application/scim+json"):
        url = path if path.startswith("/scim/") else self.base + path
        extra = {"HTTP_AUTHORIZATION": self.auth} if self.auth is not None else {}
        for key, value in (headers or {}).items():
            extra["HTTP_" + key.upper().replace("-", "_")] = value
        data = json.dumps(body) if isinstance(body, dict | list) else body
        kwargs = {"content_type": content_type} if data is not None else {}
        response = getattr(self.client, method.lower())(url, data=data, **kwargs, **extra)
        if self.flush:
            activity_log.flush()
        assert response["Content-Type"].startswith("application/scim+json"), response.content
        response.body = json.loads(response.content) if response.content else None
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def acme_connection(acme):
    return services.connection_create(organization=acme, name="Okta")


@pytest.fixture
def scim(client, acme_connection):
    return ScimClient(client, acme_connection.connection, acme_connection.plaintext_token)


@pytest.fixture
def outsider_scim(client, outsider_org):
    created = services.connection_create(organization=outsider_org, name="Okta")
    return ScimClient(client, created.connection, created.plaintext_token)


def user_payload(user_name="ava.nguyen@example.com", **overrides):
    body = fixture("okta_create_user.json")
    body["userName"] = user_name
    body["emails"][0]["value"] = user_name
    body.update(overrides)
    return body


@pytest.fixture
def scim_tx(client, acme):
    """`scim` for transactional_db tests (its connection is created inside the test)."""
    created = services.connection_create(organization=acme, name="Okta")
    return ScimClient(client, created.connection, created.plaintext_token)


@pytest.fixture
def outsider_tx(client, outsider_org):
    created = services.connection_create(organization=outsider_org, name="Okta")
    return ScimClient(client, created.connection, created.plaintext_token)


@pytest.fixture
def staff_250(acme, outsider_org):
    """250 Acme employees as straight rows (no sign-in accounts, no roster bump, as the benchmark
    seeds them); outsiders interleave in id order, so a page that leaked across organizations
    would show it. Returns Acme's ids in order."""
    rows = []
    for n in range(250):
        rows.append(Employee(organization=acme, username=f"u{n}@acme.example", email=f"u{n}@acme.example"))
        if n % 10 == 0:
            rows.append(
                Employee(
                    organization=outsider_org, username=f"o{n}@globex.example", email=f"o{n}@globex.example"
                )
            )
    Employee.objects.bulk_create(rows)
    return list(Employee.objects.filter(organization=acme).order_by("pk").values_list("pk", flat=True))


def written_as_one_batch(queries) -> bool:
    """Among queries a CaptureQueriesContext saw, one statement wrote the batch: one COPY on
    PostgreSQL, one multi-row INSERT on SQLite, and no other INSERT."""
    verbs = [
        str(q["sql"] if isinstance(q["sql"], str) else q["sql"].as_string()).split()[0].upper()
        for q in queries
    ]
    if connection.vendor == "postgresql":
        return verbs.count("COPY") == 1 and "INSERT" not in verbs
    return verbs.count("INSERT") == 1
