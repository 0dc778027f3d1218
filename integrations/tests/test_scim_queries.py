"""SQL statements per request, auth included, whatever the page size.

transactional_db: requests run as in production (no wrapping test transaction, whose
savepoints would be counted as statements the server never sends). The activity record is not
the request's: it waits in the batch writer's queue (flush=False), as on the server.
"""

import pytest
from django.db import connection, transaction

from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations.tests.conftest import fixture, user_payload

pytestmark = pytest.mark.django_db(transaction=True)

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture(autouse=True)
def background_work_runs_in_a_worker():
    """Count the request's own statements: background tasks are published, as in production,
    not run in-process (the in-memory broker without REDIS_URL, Redis with it)."""
    from engagedly_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def scim_tx(scim_tx):
    scim_tx.flush = False
    return scim_tx


@pytest.fixture
def user(scim_tx):
    return scim_tx.post("/Users", user_payload("ava@example.com")).body


def test_username_lookup(scim_tx, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = scim_tx.get('/Users?filter=userName eq "AVA@example.com"&startIndex=1&count=100').body
    assert body["totalResults"] == 1


def test_get_by_id(scim_tx, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert scim_tx.get(f"/Users/{user['id']}").status_code == 200


def test_post(scim_tx, django_assert_max_num_queries):
    # The token; in one transaction the employee's INSERT (no login account) and its link to the
    # connection (SQLite logs BEGIN and COMMIT as statements).
    with django_assert_max_num_queries(5):
        assert scim_tx.post("/Users", user_payload("new@example.com")).status_code == 201


def test_put_update(scim_tx, user, django_assert_max_num_queries):
    # The token; in one transaction the user read under its row lock and its UPDATE.
    with django_assert_max_num_queries(5):
        assert scim_tx.put(f"/Users/{user['id']}", {**user, "title": "Boss"}).status_code == 200


def test_put_that_changes_the_email_and_username(scim_tx, user, django_assert_max_num_queries):
    renamed = {
        **user,
        "userName": "ava.nguyen@example.com",
        "emails": [{"value": "ava.nguyen@example.com", "type": "work", "primary": True}],
    }
    with django_assert_max_num_queries(5):
        body = scim_tx.put(f"/Users/{user['id']}", renamed).body
    assert body["userName"] == "ava.nguyen@example.com"
    assert Employee.objects.get(pk=user["id"]).email == "ava.nguyen@example.com"


# A deactivation also passes the deactivation brake (integrations.brake): the connection's row
# locked with the organization's brake, the count in its window, and the deactivation's record.
DEACTIVATION_BUDGET = 5 + 3


def test_put_deactivate_and_reactivate(scim_tx, user, django_assert_max_num_queries, monkeypatch):
    # The background task is left out: it runs in a worker.
    queued = []
    monkeypatch.setattr("employees.tasks.enqueue_deactivations", queued.append)
    with django_assert_max_num_queries(DEACTIVATION_BUDGET):
        assert scim_tx.put(f"/Users/{user['id']}", {**user, "active": False}).body["active"] is False
    with django_assert_max_num_queries(5):
        assert scim_tx.put(f"/Users/{user['id']}", {**user, "active": True}).body["active"] is True
    assert queued == [Employee.objects.get(pk=user["id"]).organization_id]


def test_patch_deactivate_and_reactivate_after_the_task_applied(scim_tx, user, django_assert_max_num_queries):
    # The deactivation task runs (in-process here) before the reactivation: the realistic Okta
    # sequence. A provisioned employee has no login account for either to touch.
    from employees.services import employee_apply_deactivation

    deactivate = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]}
    reactivate = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": True}],
    }
    with django_assert_max_num_queries(DEACTIVATION_BUDGET):
        assert scim_tx.patch(f"/Users/{user['id']}", deactivate).body["active"] is False
    assert employee_apply_deactivation(employee_id=int(user["id"])) is True
    with django_assert_max_num_queries(5):
        assert scim_tx.patch(f"/Users/{user['id']}", reactivate).body["active"] is True
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.status, employee.deactivation_applied_at, employee.user_id) == ("active", None, None)


@pytest.mark.parametrize("size", [10, 100])
def test_user_list_page_is_constant(scim_tx, acme, size, django_assert_max_num_queries):
    for n in range(size):
        EmployeeFactory(organization=acme, email=f"u{n}@example.com")
    with django_assert_max_num_queries(3):
        body = scim_tx.get(f'/Users?filter=emails.value co "example"&startIndex=1&count={size}').body
    assert body["itemsPerPage"] == size


@pytest.mark.parametrize("size", [3, 30])
def test_group_list_page_prefetches_members(scim_tx, acme, size, django_assert_max_num_queries):
    members = [EmployeeFactory(organization=acme, email=f"m{n}@example.com") for n in range(5)]
    for n in range(size):
        services_body = {
            **fixture("okta_group_push_create.json"),
            "displayName": f"Team {n}",
            "members": [{"value": str(m.pk)} for m in members],
        }
        scim_tx.post("/Groups", services_body)
    with django_assert_max_num_queries(3):
        body = scim_tx.get("/Groups?startIndex=1&count=100").body
    assert body["totalResults"] == size and len(body["Resources"][0]["members"]) == 5


def test_username_lookup_can_use_the_lower_username_index(acme, user):
    queryset = Employee.objects.filter(organization=acme, username__lower="ava@example.com")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows make a sequential scan cheapest; ask whether the index can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "employee_username_unique_per_org_ci" in plan


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("path", ["/Users/.search", "/Groups/.search", "/.search"])
def test_search_is_constant_whatever_the_page_size(scim_tx, acme, size, path, django_assert_max_num_queries):
    members = [EmployeeFactory(organization=acme, email=f"s{n}@example.com") for n in range(size)]
    for n in range(size):
        body = {**fixture("okta_group_push_create.json"), "displayName": f"Team {n}"}
        scim_tx.post("/Groups", {**body, "members": [{"value": str(m.pk)} for m in members[:3]]})
    search = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "meta.created pr",
        "startIndex": 2,
        "count": size + 5,  # a root page spans the end of the users and the start of the groups
    }
    # auth, the page (and a count when a type's slice is empty), the members, the activity record
    with django_assert_max_num_queries(6 if path == "/.search" else 3):
        body = scim_tx.post(path, search).body
    assert body["itemsPerPage"] == (min(size + 5, 2 * size - 1) if path == "/.search" else size - 1)
