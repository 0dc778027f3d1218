"""What keeps SCIM fast at 100,000 employees: pages that count only when they must, deep pages by
key, a one-round-trip rate limit, an activity record written in one statement, and the benchmark's
own server aids (X-Query-Count, the ceiling view).

transactional_db: requests run as in production, outside a test transaction, so the activity
record takes its production path and the statements counted are the ones the server sends.
"""

import json

import pytest
from django.db import connection
from django.http import JsonResponse
from django.test import RequestFactory
from django.utils import timezone

from bench.middleware import QueryCountHeaderMiddleware
from bench.views import ceiling
from employees.models import Employee
from integrations import services
from integrations.models import ScimRequest
from integrations.scim import backend, mapping
from integrations.scim.auth import _count_request
from integrations.scim.errors import ScimError
from integrations.scim.filters import USER_ATTRIBUTES, Translated, _QBuilder, parse, to_q
from integrations.scim.mapping import USER_COLUMNS

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_activity_record_is_one_statement_and_leaves_the_session_durable(scim_tx, staff_250):
    before = ScimRequest.objects.count()
    with connection.execute_wrapper(counting := StatementCounter()):
        services.scim_request_record(
            connection_id=scim_tx.connection.pk,
            token=None,
            created_at=timezone.now(),
            method="GET",
            path="/Users",
            status_code=200,
            outcome="success",
            operation="lookup",
            resource_id="",
            employee_id=staff_250[0],
            detail="",
            duration_ms=4,
        )
    record = ScimRequest.objects.latest("id")
    assert counting.count == 1 and ScimRequest.objects.count() == before + 1
    assert (record.method, record.status_code, record.employee_id, record.duration_ms) == (
        "GET",
        200,
        staff_250[0],
        4,
    )
    if connection.vendor == "postgresql":
        # The asynchronous commit was the INSERT's own transaction's, not the session's.
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def test_rate_limit_counter_counts_each_request_once():
    key = "scim-rate:test-counter:1"
    first, _ = _count_request(key)
    assert _count_request(key)[0] == first + 1


def test_query_count_header_counts_every_statement(db):
    def view(request):
        list(Employee.objects.all())
        list(Employee.objects.all()[:1])
        return JsonResponse({})

    response = QueryCountHeaderMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def test_ceiling_view_answers_with_one_query_and_refuses_a_wrong_token(scim_tx, django_assert_num_queries):
    public_id = scim_tx.connection.public_id
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {scim_tx.token}")
    with django_assert_num_queries(1):
        response = ceiling(request, public_id)
    assert response.status_code == 200 and json.loads(response.content)["organization"] == "acme"
    wrong = RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer engscim_wrong")
    assert ceiling(wrong, public_id).status_code == 401


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


def _same_user(compiled, orm):
    fields = [f.attname for f in Employee._meta.concrete_fields]
    assert [getattr(compiled, name) for name in fields] == [getattr(orm, name) for name in fields]


def test_compiled_lookup_and_read_by_id_give_what_the_orm_gives(acme, outsider_org):
    scope = backend.Scope(token=None, connection=None, organization=acme)
    ava = Employee.objects.create(
        organization=acme, username="Ava@Acme.example", email="ava@acme.example", job_title="CTO"
    )
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
        page = backend.user_list(
            scope,
            translated=to_q('userName eq "AVA@acme.example"', USER_ATTRIBUTES),
            sort=None,
            descending=False,
            start=1,
            count=count,
        )
        assert page.total == 1
        # Named rows of the rendered columns, as the ORM's values_list gives them, rendering as
        # the employee does.
        row, stored = page.items[0], Employee.objects.get(pk=ava.pk)
        assert row == Employee.objects.values_list(*USER_COLUMNS, named=True).get(pk=ava.pk)
        base = "https://portal.example/scim/v2/x"
        assert mapping.user_render(row, base_url=base) == mapping.user_render(stored, base_url=base)
    for missing in ('userName eq "gone@acme.example"', 'userName eq "nobody@acme.example"'):
        page = backend.user_list(
            scope, translated=to_q(missing, USER_ATTRIBUTES), sort=None, descending=False, start=1, count=100
        )
        assert (page.items, page.total) == ([], 0)

    _same_user(backend.user_get(scope, pk=str(ava.pk)), Employee.objects.get(pk=ava.pk))
    row = backend.user_get(scope, pk=str(ava.pk), rendered_only=True)
    assert row == Employee.objects.values_list(*USER_COLUMNS, named=True).get(pk=ava.pk)
    assert mapping.user_render(row, base_url=base) == mapping.user_render(stored, base_url=base)
    for pk in (outsider.pk, gone.pk, 2**62):
        for rendered_only in (False, True):
            with pytest.raises(ScimError) as error:
                backend.user_get(scope, pk=str(pk), rendered_only=rendered_only)
            assert error.value.status == 404


def test_bench_flags_a_run_that_one_worker_served_alone():
    from bench.run import Run, one_worker_served

    run = Run("ceiling", "")
    for split, flagged in (([0.97, 0.0], True), ([0.93, 0.08], True), ([0.93, 0.47], False), ([0.9], False)):
        run.worker_split = split
        assert one_worker_served(run) is flagged, split


def test_bench_compares_each_scenario_with_the_ceilings_run_beside_it():
    from bench.run import Run, adjacent_ceiling, run_order

    assert run_order(["ceiling", "okta-push", "okta-mix"]) == [
        "ceiling",
        "okta-push",
        "ceiling",
        "okta-mix",
        "ceiling",
    ]
    assert run_order(["okta-push"]) == ["okta-push"]

    def run(name, rate):
        made = Run(name, "")
        made.op("GET").latencies.extend([0.01] * rate)
        made.elapsed = 1.0
        return made

    # The host slows down within the run: the later scenario is held to the later ceilings.
    runs = [run("ceiling", 800), run("okta-push", 400), run("ceiling", 600), run("lookup", 300)]
    runs += [run("lookup", 280), run("ceiling", 400)]
    assert adjacent_ceiling(runs, 1)[0] == 700
    assert adjacent_ceiling(runs, 3)[0] == adjacent_ceiling(runs, 4)[0] == 500
