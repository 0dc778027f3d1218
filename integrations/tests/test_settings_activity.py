"""Connection status, the activity list, the 30-day chart and waiting manager links."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import selectors
from integrations.charts import activity_chart
from integrations.models import ProvisionedEmployee, ScimRequest
from integrations.tests.settings_helpers import make_connection, record_request

DAY = datetime.timedelta(days=1)


@pytest.fixture
def connection(acme, acme_admin):
    return make_connection(acme, created_by=acme_admin.user).connection


def overview(connection):
    return selectors.connection_overview_get(organization=connection.organization, pk=connection.pk)


def test_status_waits_for_the_first_request(connection):
    assert overview(connection).status == "waiting"
    assert overview(connection).last_request_at is None


def test_status_is_connected_after_a_success_and_failing_after_a_streak_of_errors(connection):
    record_request(connection, status_code=200, ago=datetime.timedelta(minutes=5))
    assert overview(connection).status == "connected"
    record_request(connection, status_code=500, ago=datetime.timedelta(minutes=3))
    assert overview(connection).status == "connected"  # one error is a note, not a verdict
    record_request(connection, status_code=401, ago=datetime.timedelta(minutes=2))
    record_request(connection, status_code=401, ago=datetime.timedelta(minutes=1))
    assert overview(connection).status == "failing"


def test_expected_lookups_do_not_count_as_failing(connection):
    record_request(connection, status_code=404)
    assert overview(connection).status == "connected"
    record_request(connection, status_code=409)
    assert overview(connection).status == "connected"


def test_sourced_employee_counts(connection, acme):
    for status in ["active", "active", "deactivated"]:
        employee = EmployeeFactory(organization=acme)
        Employee.objects.filter(pk=employee.pk).update(status=status)
        ProvisionedEmployee.objects.create(employee=employee, connection=connection)
    EmployeeFactory(organization=acme)  # entered by hand: not counted
    record_request(connection)
    record_request(connection)  # more requests do not multiply the counts
    view = overview(connection)
    assert (view.active_employees, view.deactivated_employees) == (2, 1)


def test_list_page_runs_a_bounded_number_of_queries(admin_client, acme, django_assert_max_num_queries):
    for index in range(5):
        connection = make_connection(acme, name=f"Okta {index}").connection
        record_request(connection)
    with django_assert_max_num_queries(8):
        admin_client.get(reverse("integrations:okta"))


def test_activity_is_newest_first_with_the_details_returned_to_the_idp(admin_client, connection, acme):
    employee = EmployeeFactory(organization=acme, first_name="Ava", last_name="Nguyen")
    record_request(connection, ago=2 * DAY, operation="lookup")
    record_request(
        connection,
        status_code=400,
        operation="create",
        employee=employee,
        detail="Attribute 'userName' is required.",
        path="/Users",
    )
    body = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert body.index("Create") < body.index("Lookup")
    assert "Ava Nguyen" in body
    assert "Attribute &#x27;userName&#x27; is required." in body
    assert "400 Bad Request" in body
    assert "GET /Users" in body  # shown relative to the base URL


def test_activity_filters_by_outcome_and_operation(admin_client, connection):
    record_request(connection, status_code=201, operation="create", detail="made")
    record_request(connection, status_code=409, operation="create", detail="duplicate")
    record_request(connection, status_code=500, operation="deactivate", detail="broken")
    url = reverse("integrations:connection", args=[connection.pk])

    def rows(**query):
        page = admin_client.get(url, query).context["page"]
        return sorted(item.detail for item in page)

    assert rows() == ["broken", "duplicate", "made"]
    assert rows(outcome="client_error") == ["duplicate"]
    assert rows(operation="create") == ["duplicate", "made"]
    assert rows(outcome="success", operation="create") == ["made"]
    assert rows(outcome="nonsense", operation="deactivate") == ["broken"]  # a bad value is ignored


def test_activity_is_paginated(admin_client, connection):
    ScimRequest.objects.bulk_create(
        ScimRequest(
            connection=connection,
            created_at=timezone.now() - datetime.timedelta(seconds=index),
            method="GET",
            path="/Users",
            status_code=200,
            outcome="success",
            operation="lookup",
            detail=f"r{index}",
        )
        for index in range(30)
    )
    url = reverse("integrations:connection", args=[connection.pk])
    first = admin_client.get(url).context["page"]
    second = admin_client.get(url, {"page": 2}).context["page"]
    assert [item.detail for item in first][:2] == ["r0", "r1"]
    assert len(first) == 25 and len(second) == 5
    assert admin_client.get(url, {"page": "nope"}).status_code == 200


def test_daily_counts_by_outcome_in_one_grouped_query(connection, acme, django_assert_num_queries):
    other = make_connection(acme, name="Other").connection
    record_request(connection, status_code=200)
    record_request(connection, status_code=200)
    record_request(connection, status_code=404)
    record_request(connection, status_code=500, ago=3 * DAY)
    record_request(connection, status_code=200, ago=40 * DAY)  # outside the window
    record_request(other, status_code=200)  # another connection
    with django_assert_num_queries(1):
        days = selectors.scim_request_daily_counts(connection=connection)
    assert len(days) == 30
    assert days[-1].day == timezone.localdate()
    assert (days[-1].success, days[-1].client_error, days[-1].server_error) == (2, 1, 0)
    assert days[-4].server_error == 1
    assert sum(day.total for day in days) == 4


def test_chart_is_server_rendered_svg(admin_client, connection):
    record_request(connection, status_code=200)
    record_request(connection, status_code=500)
    body = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert '<svg class="chart"' in body
    assert 'class="success"' in body and 'class="server_error"' in body
    assert "2 requests in the last 30 days, 1 of them answered with an error." in body


def test_chart_bars_stack_to_scale():
    today = datetime.date(2026, 3, 31)
    days = [
        selectors.DayCount(day=today - (29 - i) * DAY, success=0, client_error=0, server_error=0)
        for i in range(30)
    ]
    days[-1] = selectors.DayCount(day=today, success=6, client_error=3, server_error=1)
    chart = activity_chart(days)
    assert [bar.series for bar in chart.bars] == ["success", "client_error", "server_error"]
    assert chart.ticks[-1].value == 10
    full_height = chart.plot_bottom - chart.ticks[-1].y
    assert sum(bar.height for bar in chart.bars) == pytest.approx(full_height, abs=0.5)
    assert chart.labels[-1].text == "Mar 31"


def test_waiting_and_unresolved_manager_links_are_listed(admin_client, connection, acme):
    waiting = EmployeeFactory(organization=acme, first_name="Liam", last_name="Pending")
    stuck = EmployeeFactory(organization=acme, first_name="Sofia", last_name="Stuck")
    linked = EmployeeFactory(organization=acme, first_name="Noah", last_name="Linked")
    for employee in (waiting, stuck, linked):
        ProvisionedEmployee.objects.create(employee=employee, connection=connection)
    Employee.objects.filter(pk=waiting.pk).update(manager_email="boss@acme.example", manager_link="pending")
    Employee.objects.filter(pk=stuck.pk).update(
        manager_email="ghost@acme.example",
        manager_link="unresolved",
        manager_link_error="No employee has this email.",
    )
    Employee.objects.filter(pk=linked.pk).update(manager_link="resolved")
    body = admin_client.get(reverse("integrations:connection", args=[connection.pk])).content.decode()
    assert "Liam Pending" in body and "boss@acme.example" in body
    assert "Sofia Stuck" in body and "No employee has this email." in body
    assert "Noah Linked" not in body


def test_status_is_paused_while_okta_is_not_enabled(connection, acme):
    record_request(connection, status_code=200)
    acme.provisioning_enabled = False
    acme.save()
    connection.organization.refresh_from_db()
    assert overview(connection).status == "disabled"
    assert overview(connection).status_label == "Paused: provisioning not enabled"
