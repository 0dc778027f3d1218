import re

import pytest
from django.urls import reverse

from conftest import signed_in
from employees import services
from employees.tests.factories import EmployeeFactory


def _links(body: str, view: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'href="/employees/{view}(\d+)/', body)}


@pytest.fixture
def company(acme, acme_admin):
    """CEO ← VP ← {Lead ← Dev, Designer}; the admin reports to the CEO."""
    people = {
        name: EmployeeFactory(
            organization=acme, first_name=name, last_name="Person", email=f"{name}@acme.example"
        )
        for name in ("ceo", "vp", "lead", "dev", "designer")
    }
    for report, manager in (("vp", "ceo"), ("lead", "vp"), ("dev", "lead"), ("designer", "vp")):
        services.employee_set_manager(employee=people[report], manager=people[manager])
    services.employee_set_manager(employee=acme_admin, manager=people["ceo"])
    return people


def test_chart_starts_at_the_top_with_branches_closed(admin_client, company):
    body = admin_client.get(reverse("employees:chart")).content.decode()
    shown = _links(body, "")
    assert company["ceo"].pk in shown
    # Below the top, branches load when opened.
    assert company["vp"].pk not in shown
    assert f'data-branch="/employees/chart/{company["ceo"].pk}/reports/"' in body
    assert "2 reports" in body


def test_branch_lists_direct_reports_with_their_counts(admin_client, company):
    response = admin_client.get(reverse("employees:chart-branch", args=[company["vp"].pk]))
    body = response.content.decode()
    assert _links(body, "") == {company["lead"].pk, company["designer"].pk}
    assert "1 report" in body  # the lead's
    assert f'data-branch="/employees/chart/{company["lead"].pk}/reports/"' in body


def test_focus_opens_the_reporting_line_down_to_the_person(admin_client, company):
    body = admin_client.get(reverse("employees:chart"), {"focus": company["dev"].pk}).content.decode()
    shown = _links(body, "")
    assert {company[n].pk for n in ("ceo", "vp", "lead", "dev", "designer")} <= shown
    assert 'class="chart-card chart-focus" id="focus"' in body
    chart = body.split('class="chart-list"', 1)[1]
    order = [chart.index(f"{name} Person") for name in ("ceo", "vp", "lead", "dev")]
    assert order == sorted(order)


def test_search_lists_matching_active_people(admin_client, company):
    services.employee_deactivate(employee=company["designer"], reason="left")
    body = admin_client.get(reverse("employees:chart"), {"q": "Person"}).content.decode()
    results = body.split('class="plain-list chart-results"')[1].split("</ul>")[0]
    assert f"focus={company['dev'].pk}" in results
    assert f"focus={company['designer'].pk}" not in results


def test_deactivated_people_leave_the_chart_and_their_reports_rise(admin_client, company):
    services.employee_deactivate(employee=company["vp"], reason="left")
    body = admin_client.get(reverse("employees:chart")).content.decode()
    # With the manager gone (and before any policy moves them), the reports start a branch of their own.
    assert company["vp"].pk not in _links(body, "")
    assert admin_client.get(reverse("employees:chart-branch", args=[company["vp"].pk])).status_code == 404


def test_chart_is_scoped_to_the_organization(client, company, outsider_admin):
    signed_in(client, outsider_admin)
    body = client.get(reverse("employees:chart")).content.decode()
    assert company["ceo"].pk not in _links(body, "")
    assert client.get(reverse("employees:chart-branch", args=[company["ceo"].pk])).status_code == 404
    assert client.get(reverse("employees:chart"), {"focus": company["ceo"].pk}).status_code == 404


@pytest.mark.parametrize("focus", ["abc", "١", "99999999999999999999"])
def test_odd_focus_values_are_404(admin_client, company, focus):
    assert admin_client.get(reverse("employees:chart"), {"focus": focus}).status_code == 404


def test_any_employee_may_view_the_chart(client, company, acme_employee):
    assert signed_in(client, acme_employee).get(reverse("employees:chart")).status_code == 200


def test_profile_shows_the_reporting_line_and_a_chart_link(admin_client, company):
    body = admin_client.get(reverse("employees:detail", args=[company["dev"].pk])).content.decode()
    line = body.split('class="chain"')[1].split("</ol>")[0]
    assert [int(pk) for pk in re.findall(r'/employees/(\d+)/', line)] == [
        company["ceo"].pk, company["vp"].pk, company["lead"].pk
    ]  # fmt: skip
    assert f"/employees/chart/?focus={company['dev'].pk}#focus" in body
