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


def _custom_fields(acme):
    text = services.custom_field_create(
        organization=acme, key="costCenter", label="Cost center", field_type="text"
    )
    level = services.custom_field_create(organization=acme, key="level", label="Level", field_type="number")
    site = services.custom_field_create(
        organization=acme, key="site", label="Site", field_type="choice", choices=["Paris", "Lyon"]
    )
    return text, level, site


def test_filters_by_a_custom_field_of_each_type(acme_api, acme):
    _custom_fields(acme)
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    bob = EmployeeFactory(organization=acme, email="bob@acme.example")
    services.employee_set_custom_values(
        employee=ava, values={"costCenter": "CC-100 Sales", "level": "3", "site": "Paris"}
    )
    services.employee_set_custom_values(
        employee=bob, values={"costCenter": "CC-200", "level": 30, "site": "Lyon"}
    )

    assert _emails(acme_api, "?field=costCenter&value=cc-1") == [ava.email]
    assert _emails(acme_api, "?field=costCenter&value=CC") == [ava.email, bob.email]
    assert _emails(acme_api, "?field=level&value=30") == [bob.email]
    assert _emails(acme_api, "?field=site&value=paris") == [ava.email]
    assert _emails(acme_api, "?field=site&value=Lyon&q=bob") == [bob.email]


def test_custom_values_show_active_fields_only_null_when_unset(acme_api, acme, acme_admin):
    text, level, site = _custom_fields(acme)
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    services.employee_set_custom_values(employee=ava, values={"costCenter": "CC-100", "site": "Lyon"})
    body = acme_api.get(f"employees/{ava.pk}/").body
    assert body["custom_values"] == {"costCenter": "CC-100", "level": None, "site": "Lyon"}

    services.custom_field_archive(field=site)
    body = acme_api.get(f"employees/{ava.pk}/").body
    assert body["custom_values"] == {"costCenter": "CC-100", "level": None}
    listed = {row["email"]: row["custom_values"] for row in acme_api.get("employees/").body["results"]}
    assert listed == {acme_admin.email: {"costCenter": None, "level": None}, ava.email: body["custom_values"]}
    # An archived field is not a filter any more either (as in the directory).
    response = acme_api.get("employees/?field=site&value=Lyon")
    assert response.status_code == 400
    assert response.body["fields"] == {"field": ["No active custom field has the key “site”."]}


def test_without_custom_fields_the_values_are_empty(acme_api, acme_admin):
    assert acme_api.get(f"employees/{acme_admin.pk}/").body["custom_values"] == {}


def test_a_bad_custom_field_filter_is_a_400_in_the_error_shape(acme_api, acme, outsider_org):
    _custom_fields(acme)
    services.custom_field_create(organization=outsider_org, key="badge", label="Badge", field_type="text")
    response = acme_api.get("employees/?field=nope&value=1")
    assert response.status_code == 400
    assert response.body == {
        "status": 400,
        "code": "invalid",
        "detail": "The request is not valid.",
        "fields": {"field": ["No active custom field has the key “nope”."]},
    }
    cases = {
        "?field=badge&value=1": "field",  # another organization's field
        "?field=level": "value",
        "?value=3": "field",
        "?field=level&value=three": "value",
        "?field=site&value=Nice": "value",
        "?field=costCenter&value=": "value",
    }
    for query, name in cases.items():
        response = acme_api.get(f"employees/{query}")
        assert response.status_code == 400, query
        assert list(response.body["fields"]) == [name], query
    assert acme_api.get("employees/?field=level&value=three").body["fields"]["value"] == [
        "Level: enter a number."
    ]
