"""Employees, read only, filtered as the directory filters them."""

from employees import services
from employees.tests.factories import EmployeeFactory


def _emails(api, query=""):
    response = api.get(f"employees/{query}")
    assert response.status_code == 200, response.content
    return [row["email"] for row in response.body["results"]]


def test_filters_by_status_department_manager_and_words(acme_api, acme, acme_admin):
    boss = EmployeeFactory(organization=acme, email="boss@acme.example", department="Sales")
    ava = EmployeeFactory(organization=acme, email="ava@acme.example", first_name="Ava", department="Sales")
    gone = EmployeeFactory(organization=acme, email="gone@acme.example", department="Engineering")
    services.employee_set_manager(employee=ava, manager=boss)
    services.employee_deactivate(employee=gone, reason="left")

    assert _emails(acme_api) == [acme_admin.email, boss.email, ava.email, gone.email]
    assert _emails(acme_api, "?status=deactivated") == [gone.email]
    assert _emails(acme_api, "?department=sales") == [boss.email, ava.email]
    assert _emails(acme_api, f"?manager={boss.pk}") == [ava.email]
    assert _emails(acme_api, "?q=ava") == [ava.email]


def test_detail_shows_the_fields_and_the_manager_id(acme_api, acme):
    boss = EmployeeFactory(organization=acme, email="boss@acme.example")
    ava = EmployeeFactory(organization=acme, email="ava@acme.example", job_title="Engineer")
    services.employee_set_manager(employee=ava, manager=boss)
    body = acme_api.get(f"employees/{ava.pk}/").body
    assert body["email"] == "ava@acme.example"
    assert body["job_title"] == "Engineer"
    assert body["manager"] == boss.pk
    assert body["status"] == "active"


def test_bad_filters_are_400(acme_api):
    for query in ("?status=gone", "?manager=abc", "?manager=0"):
        response = acme_api.get(f"employees/{query}")
        assert response.status_code == 400, query
        assert response.body["code"] == "invalid"


def test_pages_follow_the_cursor(acme_api, acme, acme_admin):
    for n in range(4):
        EmployeeFactory(organization=acme, email=f"p{n}@acme.example")
    first = acme_api.get("employees/?page_size=3").body
    second = acme_api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {acme_api.key}").json()
    emails = [r["email"] for r in first["results"] + second["results"]]
    assert emails == [acme_admin.email] + [f"p{n}@acme.example" for n in range(4)]
    assert second["next"] is None
