import json

import pytest
from django.test import Client

from api import services
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations.tests.settings_helpers import make_connection, record_request

BASE = "/api/v1"


class ApiClient:
    """An automation script holding one API key."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def request(self, method: str, path: str, body=None, **extra):
        if self.key is not None:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.key}")
        url = path if path.startswith("/") else f"{BASE}/{path}"
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = getattr(self.client, method.lower())(url, **kwargs, **extra)
        is_json = response.get("Content-Type", "").startswith("application/json")
        response.body = json.loads(response.content) if is_json and not response.streaming else None
        return response

    def get(self, path, **extra):
        return self.request("GET", path, **extra)

    def post(self, path, body=None, **extra):
        return self.request("POST", path, body, **extra)

    def delete(self, path, **extra):
        return self.request("DELETE", path, **extra)


def issue_key(employee: Employee, **kwargs) -> str:
    return services.api_key_create(
        employee=employee, name=kwargs.pop("name", "Automation"), **kwargs
    ).plaintext


@pytest.fixture
def acme_api(acme_admin):
    return ApiClient(issue_key(acme_admin))


@pytest.fixture
def outsider_api(outsider_admin):
    return ApiClient(issue_key(outsider_admin))


@pytest.fixture
def plain_api(acme):
    """The key of someone who has since lost the admin role: it acts as a plain employee."""
    owner = EmployeeFactory(
        organization=acme, email="former.admin@acme.example", is_org_admin=True, password="pw-x"
    )
    key = issue_key(owner)
    Employee.objects.filter(pk=owner.pk).update(is_org_admin=False)
    return ApiClient(key)


@pytest.fixture
def acme_setup(acme, acme_admin):
    """A connection with its token, one activity record, an employee with a manager."""
    created = make_connection(acme, created_by=acme_admin.user)
    connection = created.connection
    record_request(connection, status_code=201, path="/Users")
    return {
        "connection": connection,
        "token": connection.tokens.get(),
        "scim_token": created.plaintext_token,
        "employee": acme_admin,
    }


def endpoints(setup) -> list[tuple[str, str, dict | None, int]]:
    """Every endpoint and verb: (method, path, body, status for the owner's admin)."""
    c, t, e = setup["connection"].pk, setup["token"].pk, setup["employee"].pk
    return [
        ("GET", "connections/", None, 200),
        ("POST", "connections/", {"name": "Okta staging"}, 201),
        ("GET", f"connections/{c}/", None, 200),
        ("GET", f"connections/{c}/tokens/", None, 200),
        ("POST", f"connections/{c}/tokens/", None, 201),
        ("DELETE", f"connections/{c}/tokens/{t}/", None, 204),
        ("GET", f"connections/{c}/activity/", None, 200),
        ("GET", f"connections/{c}/activity.csv", None, 200),
        ("GET", f"connections/{c}/held/", None, 200),
        ("POST", f"connections/{c}/held/apply/", {"all": True}, 200),
        ("POST", f"connections/{c}/held/keep/", {"all": True}, 200),
        ("GET", "employees/", None, 200),
        ("GET", f"employees/{e}/", None, 200),
        ("GET", "audit/", None, 200),
        ("GET", "audit.csv", None, 200),
        ("DELETE", f"connections/{c}/", None, 204),
    ]


# As on Settings > Audit trail: organization admins only, not holders of the integration permission.
ORG_ADMIN_ONLY = {"audit/", "audit.csv"}
