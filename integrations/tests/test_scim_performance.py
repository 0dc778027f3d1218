"""What keeps SCIM fast at 100,000 employees: pages that count only when they must, deep pages by
key, a one-round-trip rate limit, and activity records written in batches.

transactional_db: requests run as in production, outside a test transaction. The SCIM client
leaves the activity record queued (flush=False), as the server does: no statement of a request is
its record's.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from employees.models import Employee
from engagedly_portal.optional_redis import redis_client
from integrations import services
from integrations.auth_epoch import EPOCH_KEY
from integrations.models import ScimRequest
from integrations.scim import backend
from integrations.scim.auth import _count_request
from integrations.scim.backend.attributes import USER_ATTRIBUTES
from integrations.scim.backend.filters import Translated, _QBuilder, parse, to_q
from integrations.scim.errors import ScimError
from integrations.scim.queries import ListQuery
from integrations.tests.conftest import written_as_one_batch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scim_tx(scim_tx):
    scim_tx.flush = False
    return scim_tx


def ids(body):
    return [int(resource["id"]) for resource in body["Resources"]]


def test_full_first_page_counts_the_rest(scim_tx, staff_250, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = scim_tx.get("/Users?startIndex=1&count=100").body
    assert (body["totalResults"], body["itemsPerPage"], ids(body)) == (250, 100, staff_250[:100])


def test_deep_page_is_the_right_slice_in_four_queries(scim_tx, staff_250, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = scim_tx.get("/Users?startIndex=101&count=100").body
    assert (body["totalResults"], body["startIndex"], ids(body)) == (250, 101, staff_250[100:200])


def test_last_page_knows_the_total_without_counting(scim_tx, staff_250, django_assert_max_num_queries):
    # auth, page, activity record: the short page itself tells the total.
    with django_assert_max_num_queries(3):
        body = scim_tx.get("/Users?startIndex=201&count=100").body
    assert (body["totalResults"], body["itemsPerPage"], ids(body)) == (250, 50, staff_250[200:])


def test_page_ending_exactly_at_the_last_user_knows_the_total(scim_tx, staff_250):
    body = scim_tx.get("/Users?startIndex=151&count=100").body
    assert (body["totalResults"], ids(body)) == (250, staff_250[150:])


def test_past_the_end_still_reports_the_total(scim_tx, staff_250):
    body = scim_tx.get("/Users?startIndex=301&count=100").body
    assert (body["totalResults"], body["itemsPerPage"], body["Resources"]) == (250, 0, [])


def test_filtered_lookup_reports_its_match_count(scim_tx, staff_250, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = scim_tx.get('/Users?filter=userName eq "U7@ACME.example"&startIndex=1&count=100').body
    assert (body["totalResults"], ids(body)) == (1, [staff_250[7]])


def test_a_batch_of_activity_records_is_one_insert_and_leaves_the_session_durable(scim_tx, staff_250):
    record = {
        "connection_id": scim_tx.connection.pk,
        "token": None,
        "created_at": timezone.now(),
        "method": "GET",
        "path": "/Users",
        "query_string": "filter=userName%20eq%20%22ava%40example.com%22",
        "status_code": 200,
        "outcome": "success",
        "operation": "lookup",
        "resource_id": "",
        "employee_id": staff_250[0],
        "detail": "",
        "duration_ms": 4,
    }
    before = ScimRequest.objects.count()
    with CaptureQueriesContext(connection) as queries:
        services.scim_requests_record([record] * 20)
    assert ScimRequest.objects.count() == before + 20 and written_as_one_batch(queries)
    stored = ScimRequest.objects.latest("id")
    assert (stored.path, stored.employee_id, stored.duration_ms) == (
        '/Users?filter=userName eq "a***@example.com"',
        staff_250[0],
        4,
    )
    if connection.vendor == "postgresql":
        # The asynchronous commit was the batch's own transaction's, not the session's.
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"


def test_rate_limit_counter_counts_each_request_once(settings):
    key = f"scim-rate:test-counter:{uuid.uuid4().hex}"
    assert _count_request(key)[0] == 1
    assert _count_request(key)[0] == 2
    if settings.REDIS_URL:
        # The window's counter goes away by itself, and the epoch is read in the same command.
        assert 0 < redis_client().ttl(key) <= 120
        assert _count_request(key)[1] == redis_client().get(EPOCH_KEY).decode()


@pytest.mark.parametrize(
    "expression",
    [
        'userName eq "Ava.Nguyen@Example.com"',
        'USERNAME EQ "ava nguyen"',
        '  userName eq ""  ',
        'userName eq "with \\"quotes\\""',
        'userName eq "a" and active eq true',
        'userName ne "a"',
    ],
)
def test_username_fast_path_translates_as_the_filter_grammar_does(expression):
    builder = _QBuilder(USER_ATTRIBUTES)
    parsed = builder.visit(parse(expression))
    assert to_q(expression, USER_ATTRIBUTES) == Translated(parsed, builder.joins_many)


def test_lookup_and_read_by_id_see_only_the_organization_s_live_users(acme, outsider_org):
    okta = services.connection_create(organization=acme, name="Okta").connection
    scope = backend.Scope(token=None, connection=okta, organization=acme)
    ava = Employee.objects.create(organization=acme, username="Ava@Acme.example", email="ava@acme.example")
    # The same userName in another organization, and one the provider deleted: neither is acme's.
    outsider = Employee.objects.create(
        organization=outsider_org, username="ava@acme.example", email="ava@globex.example"
    )
    gone = Employee.objects.create(
        organization=acme,
        username="gone@acme.example",
        email="gone@acme.example",
        provider_deleted_at=timezone.now(),
    )

    for count in (1, 100):
        page = backend.user_list(scope, ListQuery(count=count, filter='userName eq "AVA@acme.example"'))
        assert (page.total, [e.pk for e in page.items]) == (1, [ava.pk])
    for missing in ('userName eq "gone@acme.example"', 'userName eq "nobody@acme.example"'):
        page = backend.user_list(scope, ListQuery(count=100, filter=missing))
        assert (page.items, page.total) == ([], 0)

    assert backend.user_get(scope, pk=str(ava.pk)) == ava
    for pk in (outsider.pk, gone.pk, 2**62):
        with pytest.raises(ScimError) as error:
            backend.user_get(scope, pk=str(pk))
        assert error.value.status == 404
