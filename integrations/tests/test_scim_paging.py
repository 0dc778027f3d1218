"""An import's pages remember the total and where the next page starts (integrations.roster):
the same pages as a fresh read, one statement for a page once the previous one told where it
starts, and every change to an organization's set of employees seen on the very next page.

transactional_db: requests run as in production, and the second roster bump (on commit) runs.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employees import services as employee_services
from employees.models import Employee
from engagedly_portal import optional_redis
from integrations import roster
from integrations.tests.conftest import user_payload

pytestmark = pytest.mark.django_db(transaction=True)

EMPLOYEE_TABLE = Employee._meta.db_table


def live_ids(organization) -> list[int]:
    """What an uncached read says: the organization's live employees in id order."""
    return list(
        Employee.objects.filter(organization=organization, provider_deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def page(scim, start, count=100):
    body = scim.get(f"/Users?startIndex={start}&count={count}").body
    return body["totalResults"], [int(resource["id"]) for resource in body["Resources"]]


def expected_page(organization, start, count=100):
    ids = live_ids(organization)
    return len(ids), ids[start - 1 : start - 1 + count]


def employee_statements(queries) -> list[str]:
    return [query["sql"] for query in queries if f'"{EMPLOYEE_TABLE}"' in query["sql"]]


def test_an_import_reads_the_same_pages_as_an_uncached_read_twice_over(scim_tx, acme, staff_250):
    for _ in range(2):  # the second import finds every page's start remembered
        pages = [page(scim_tx, start) for start in (1, 101, 201, 301)]
        assert pages == [expected_page(acme, start) for start in (1, 101, 201, 301)]
        assert [total for total, _ in pages] == [250] * 4
        assert sum((ids for _, ids in pages), []) == staff_250


def test_other_page_sizes_and_starts_agree_with_an_uncached_read(scim_tx, acme, staff_250):
    for start, count in [(1, 7), (8, 7), (15, 50), (65, 100), (1, 100), (101, 30), (131, 200), (251, 5)]:
        assert page(scim_tx, start, count) == expected_page(acme, start, count), (start, count)


def test_the_next_page_is_one_statement_once_the_previous_told_where_it_starts(scim_tx, staff_250):
    scim_tx.flush = False  # the activity record waits in the batch writer's queue, as on the server
    page(scim_tx, 1)
    # auth (none when the token is cached under the Redis epoch), the page.
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 101) == (250, staff_250[100:200])
    assert len(queries) <= 2
    statements = employee_statements(queries)
    assert len(statements) == 1 and "COUNT(" not in statements[0].upper()
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 201) == (250, staff_250[200:])
    assert len(employee_statements(queries)) == 1


def test_a_page_read_by_key_renders_exactly_as_one_read_by_offset(scim_tx, acme, staff_250):
    scim_tx.post("/Users", user_payload("ava@acme.example"))  # every attribute set, none empty
    scim_tx.get("/Users?startIndex=201&count=25")
    with CaptureQueriesContext(connection) as queries:
        by_key = scim_tx.get("/Users?startIndex=226&count=100").body
    assert len(employee_statements(queries)) == 1
    roster.roster_generation_bump(organization_id=acme.pk)
    by_offset = scim_tx.get("/Users?startIndex=226&count=100").body
    assert by_key == by_offset and by_key["totalResults"] == 251 and len(by_key["Resources"]) == 26


def test_a_deep_page_without_a_previous_page_reads_by_offset_and_counts(scim_tx, staff_250):
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 101) == (250, staff_250[100:200])
    assert len(employee_statements(queries)) == 2  # the page by offset, and the COUNT
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 201) == (250, staff_250[200:])
    assert len(employee_statements(queries)) == 1


def test_a_user_created_between_pages_is_counted_on_the_next_page(scim_tx, acme, staff_250):
    page(scim_tx, 1)
    created = scim_tx.post("/Users", user_payload("late@acme.example")).body
    assert page(scim_tx, 101) == expected_page(acme, 101) == (251, staff_250[100:200])
    assert page(scim_tx, 201) == (251, [*staff_250[200:], int(created["id"])])


def test_a_user_deleted_between_pages_leaves_neither_a_gap_nor_a_duplicate(scim_tx, acme, staff_250):
    page(scim_tx, 1)
    assert scim_tx.delete(f"/Users/{staff_250[5]}").status_code == 204
    # Offsets now count one row fewer before the second page: as a fresh read, it starts one later.
    assert page(scim_tx, 101) == expected_page(acme, 101) == (249, staff_250[101:201])
    assert page(scim_tx, 201) == expected_page(acme, 201) == (249, staff_250[201:])


def test_a_user_the_provider_deleted_and_provisions_again_counts_again(scim_tx, acme, staff_250):
    created = scim_tx.post("/Users", user_payload("back@acme.example")).body
    scim_tx.delete(f"/Users/{created['id']}")
    assert page(scim_tx, 1)[0] == 250
    page(scim_tx, 101)
    relinked = scim_tx.post("/Users", user_payload("back@acme.example"))
    assert relinked.status_code == 201 and relinked.body["id"] == created["id"]
    assert page(scim_tx, 201) == expected_page(acme, 201) == (251, [*staff_250[200:], int(created["id"])])


def test_an_employee_added_in_the_portal_is_counted_on_the_next_page(scim_tx, acme, staff_250):
    page(scim_tx, 1)
    employee = employee_services.employee_create(organization=acme, email="hired@acme.example")
    assert page(scim_tx, 101)[0] == 251
    assert page(scim_tx, 201) == (251, [*staff_250[200:], employee.pk])


def test_an_employee_deleted_in_admin_is_gone_from_the_next_page(client, scim_tx, acme, staff_250):
    staff = get_user_model().objects.create_superuser("support", "support@portal.example", "pw-Support-123")
    client.force_login(staff)
    page(scim_tx, 1)
    url = reverse("admin:employees_employee_delete", args=[staff_250[0]])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert page(scim_tx, 101) == expected_page(acme, 101) == (249, staff_250[101:201])


def test_another_organizations_changes_leave_the_pages_remembered(scim_tx, outsider_tx, acme, staff_250):
    page(scim_tx, 1)
    outsider_tx.post("/Users", user_payload("new@globex.example"))
    outsider_tx.delete(f"/Users/{live_ids(outsider_tx.connection.organization)[0]}")
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 101) == (250, staff_250[100:200])
    assert len(employee_statements(queries)) == 1
    outsiders = live_ids(outsider_tx.connection.organization)
    assert page(outsider_tx, 1) == expected_page(outsider_tx.connection.organization, 1) == (25, outsiders)


def test_pages_remembered_under_an_earlier_generation_are_not_used(acme):
    memo = roster.memo_read(organization_id=acme.pk, start=101)
    roster.memo_write(memo, organization_id=acme.pk, total=250, next_start=101, last_pk=100)
    assert roster.memo_read(organization_id=acme.pk, start=101).after_pk == 100
    roster.roster_generation_bump(organization_id=acme.pk)
    fresh = roster.memo_read(organization_id=acme.pk, start=101)
    assert (fresh.total, fresh.after_pk) == (None, None) and fresh.generation is not None


def test_filtered_and_sorted_lists_are_read_as_before(scim_tx, acme, staff_250):
    body = scim_tx.get('/Users?filter=userName sw "u1"&startIndex=1&count=5').body
    assert body["totalResults"] == 111 and len(body["Resources"]) == 5
    body = scim_tx.get("/Users?sortBy=userName&sortOrder=descending&startIndex=1&count=3").body
    by_name = Employee.objects.filter(organization=acme).order_by("-username", "pk")
    assert [resource["userName"] for resource in body["Resources"]] == list(
        by_name.values_list("username", flat=True)[:3]
    )
    assert body["totalResults"] == 250


def test_pages_are_served_when_the_cache_is_down(settings, monkeypatch, scim_tx, acme, staff_250):
    nowhere = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.REDIS_URL = nowhere
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nowhere,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    monkeypatch.setattr(optional_redis, "_client", None)
    assert roster.memo_read(organization_id=acme.pk, start=1).generation is None
    page(scim_tx, 1)
    scim_tx.post("/Users", user_payload("late@acme.example"))
    scim_tx.delete(f"/Users/{staff_250[0]}")
    for start in (1, 101, 201):
        assert page(scim_tx, start) == expected_page(acme, start)


def test_a_page_asked_before_the_one_ahead_of_it_answered_starts_from_the_nearest_known(
    scim_tx, acme, staff_250
):
    # Pages in flight together: page 41 comes before 21 and 31 have stored where they start.
    page(scim_tx, 1, 10)
    expected = expected_page(acme, 41, 10)
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 41, 10) == expected
    statements = employee_statements(queries)
    assert len(statements) == 1 and "COUNT(" not in statements[0].upper()


def test_a_deep_page_with_nothing_known_before_it_reads_by_offset(scim_tx, acme, staff_250):
    # 150 rows in: beyond what looking back over pages of 2 reaches, and nothing stored yet.
    assert roster.LOOKBACK * 2 <= 151 - 1
    expected = expected_page(acme, 151, 2), expected_page(acme, 153, 2)
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 151, 2) == expected[0]
    assert any("COUNT(" in sql.upper() for sql in employee_statements(queries))
    with CaptureQueriesContext(connection) as queries:
        assert page(scim_tx, 153, 2) == expected[1]
    assert len(employee_statements(queries)) == 1
