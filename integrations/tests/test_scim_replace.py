"""PUT and PATCH /Users/{id}: one path for every change. The user is read under a row lock, the
change decided in one service call and written with one UPDATE and one version bump (none when
nothing changes), whichever way the request arrives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from employees.models import Employee
from integrations.models import ScimRequest

from .conftest import fixture, user_payload

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def stored(scim):
    created = scim.post("/Users", user_payload("ava.nguyen@example.com"))
    assert created.status_code == 201
    return scim.get(f"/Users/{created.body['id']}").body


def employee_statements(queries) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries if "employees_employee" in q["sql"]]


READ_AND_WRITE = ["SELECT", "UPDATE"]


def test_a_profile_edit_is_one_update_and_answers_the_stored_user(scim, stored):
    with CaptureQueriesContext(connection) as queries:
        response = scim.put(f"/Users/{stored['id']}", {**stored, "title": "Sales Director"})

    assert response.status_code == 200
    assert employee_statements(queries) == READ_AND_WRITE
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.job_title, employee.version) == ("Sales Director", 2)
    assert response.body["title"] == "Sales Director"
    assert response.body["meta"]["version"] == response["ETag"] == 'W/"2"'
    assert response.body["meta"]["lastModified"] != stored["meta"]["lastModified"]
    assert scim.get(f"/Users/{stored['id']}").body == response.body


def test_an_unchanged_replacement_writes_nothing(scim, stored):
    with CaptureQueriesContext(connection) as queries:
        response = scim.put(f"/Users/{stored['id']}", stored)

    assert response.body["meta"]["version"] == stored["meta"]["version"]
    assert employee_statements(queries) == ["SELECT"]  # nothing differs: nothing written


def test_a_deactivated_user_stays_deactivated_when_active_is_left_out(scim, stored):
    assert scim.put(f"/Users/{stored['id']}", {**stored, "active": False}).status_code == 200
    edit = {key: value for key, value in stored.items() if key != "active"}

    response = scim.put(f"/Users/{stored['id']}", {**edit, "title": "Retired"})

    assert (response.body["active"], response.body["title"]) == (False, "Retired")
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.status, employee.job_title) == (Employee.Status.DEACTIVATED, "Retired")


def test_a_new_manager_email_goes_through_the_manager_link_rules(scim, stored):
    edit = {**stored, ENTERPRISE: {**stored[ENTERPRISE], "manager": {"value": "new.boss@example.com"}}}

    response = scim.put(f"/Users/{stored['id']}", edit)

    assert response.body[ENTERPRISE]["manager"] == {"value": "new.boss@example.com"}
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.manager_email, employee.manager_link) == ("new.boss@example.com", "pending")


def test_a_taken_username_is_409_and_changes_nothing(scim, stored):
    other = scim.post("/Users", user_payload("other@example.com")).body
    edit = {**stored, "userName": "OTHER@example.com", "title": "Changed"}

    response = scim.put(f"/Users/{stored['id']}", edit)

    assert (response.status_code, response.body["scimType"]) == (409, "uniqueness")
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.username, employee.job_title, employee.version) == (
        stored["userName"],
        "Sales Manager",
        1,
    )
    assert Employee.objects.get(pk=other["id"]).username == "other@example.com"


def test_a_value_too_long_is_400_and_changes_nothing(scim, stored):
    response = scim.put(f"/Users/{stored['id']}", {**stored, "title": "x" * 201})

    assert response.status_code == 400
    assert Employee.objects.get(pk=stored["id"]).job_title == "Sales Manager"


def test_another_organization_s_user_is_404(scim, outsider_scim, stored):
    response = outsider_scim.put(f"/Users/{stored['id']}", {**stored, "title": "Taken over"})

    assert response.status_code == 404
    assert Employee.objects.get(pk=stored["id"]).job_title == "Sales Manager"


@pytest.fixture
def queued_runs(monkeypatch):
    queued = []
    monkeypatch.setattr("employees.tasks.enqueue_deactivations", queued.append)
    return queued


def test_okta_s_deactivation_is_one_write_and_queues_the_run(
    scim, stored, queued_runs, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = scim.patch(f"/Users/{stored['id']}", fixture("okta_catalog_deactivate.json"))

    assert (response.status_code, response.body["active"]) == (200, False)
    assert employee_statements(queries) == READ_AND_WRITE
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.status, employee.version) == (Employee.Status.DEACTIVATED, 2)
    assert employee.deactivated_at is not None and employee.deactivation_applied_at is None
    assert response.body["meta"]["version"] == 'W/"2"'
    assert queued_runs == [employee.organization_id]
    record = ScimRequest.objects.filter(method="PATCH").get()
    assert (record.operation, record.employee_id) == ("deactivate", employee.pk)

    # Again: already deactivated, so nothing written or queued.
    with django_capture_on_commit_callbacks(execute=True):
        again = scim.patch(f"/Users/{stored['id']}", fixture("okta_catalog_deactivate.json"))
    assert (again.status_code, again.body["meta"]["version"]) == (200, 'W/"2"')
    assert queued_runs == [employee.organization_id]


def test_a_replacement_that_deactivates_writes_profile_and_status_at_once(
    scim, stored, queued_runs, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = scim.put(f"/Users/{stored['id']}", {**stored, "active": False, "title": "Leaver"})

    assert (response.body["active"], response.body["title"]) == (False, "Leaver")
    assert employee_statements(queries) == READ_AND_WRITE
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.status, employee.job_title) == (Employee.Status.DEACTIVATED, "Leaver")
    assert queued_runs == [employee.organization_id]


def test_a_deactivation_with_a_new_manager_goes_through_the_manager_link_rules(
    scim, stored, queued_runs, django_capture_on_commit_callbacks
):
    edit = {
        **stored,
        "active": False,
        ENTERPRISE: {**stored[ENTERPRISE], "manager": {"value": "new.boss@example.com"}},
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = scim.put(f"/Users/{stored['id']}", edit)

    assert response.body["active"] is False
    employee = Employee.objects.get(pk=stored["id"])
    assert (employee.status, employee.manager_email) == (Employee.Status.DEACTIVATED, "new.boss@example.com")
    assert employee.manager_link == "pending"
    assert queued_runs == [employee.organization_id]


def _deactivate_with_new_title(scim, stored, way):
    """The same change (title Leaver, active false) sent one of the ways an IdP sends it."""
    path = f"/Users/{stored['id']}"
    headers = {"If-Match": stored["meta"]["version"]} if way.endswith("if-match") else {}
    headers = {"If-Match": "*"} if way.endswith("if-match-any") else headers
    if way.startswith("put"):
        return scim.put(path, {**stored, "title": "Leaver", "active": False}, headers=headers)
    operations = [{"op": "replace", "value": {"title": "Leaver", "active": False}}]
    if way.startswith("patch-paths"):
        operations = [
            {"op": "Replace", "path": "title", "value": "Leaver"},
            {"op": "Replace", "path": "active", "value": "False"},
        ]
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}
    return scim.patch(path, body, headers=headers)


WAYS = [
    "put",
    "put-if-match",
    "put-if-match-any",
    "patch",
    "patch-if-match",
    "patch-if-match-any",
    "patch-paths",
    "patch-paths-if-match",
]


def test_the_same_change_gives_the_same_version_and_row_whichever_way_it_arrives(scim, stored):
    outcomes = set()
    for way in WAYS:
        Employee.objects.filter(pk=stored["id"]).update(  # back to the stored user, version 1
            job_title="Sales Manager", status="active", deactivated_at=None, version=1
        )
        response = _deactivate_with_new_title(scim, stored, way)
        assert response.status_code == 200, (way, response.body)
        employee = Employee.objects.get(pk=stored["id"])
        outcomes.add(
            (
                response.body["meta"]["version"],
                response["ETag"],
                response.body["active"],
                response.body["title"],
                employee.version,
                employee.status,
                employee.job_title,
                ScimRequest.objects.filter(employee_id=employee.pk).latest("id").operation,
            )
        )
    assert outcomes == {('W/"2"', 'W/"2"', False, "Leaver", 2, "deactivated", "Leaver", "deactivate")}
