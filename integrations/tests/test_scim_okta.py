"""Okta's traffic, replayed from stored payloads (SPEC §3)."""

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from employees.models import Employee
from employees.tests.factories import EmployeeFactory

from .conftest import fixture, user_payload

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def lookup(scim, user_name):
    query = quote(f'userName eq "{user_name}"')
    return scim.get(f"/Users?filter={query}&startIndex=1&count=100")


def create(scim, user_name="ava.nguyen@example.com"):
    response = scim.post("/Users", user_payload(user_name))
    assert response.status_code == 201, response.body
    return response.body


def test_test_connector_configuration_lists_users(scim):
    response = scim.get("/Users?startIndex=1&count=2")

    assert response.status_code == 200
    assert response.body == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }


def test_test_connector_fails_clearly_with_a_wrong_token(scim):
    scim.auth = "Bearer engscim_wrongwrongwrongwrong"

    response = scim.get("/Users?startIndex=1&count=2")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_lookup_then_post_stores_the_full_enterprise_user(scim, acme):
    assert lookup(scim, "ava.nguyen@example.com").body["totalResults"] == 0

    response = scim.post("/Users", fixture("okta_create_user.json"))

    assert response.status_code == 201
    body = response.body
    assert response["Location"] == body["meta"]["location"]
    assert body["meta"]["location"].endswith(f"/Users/{body['id']}")
    assert body["userName"] == "ava.nguyen@example.com"
    assert body["externalId"] == "00u18ep2sjmnGT1wk698"
    assert body["name"] == {"givenName": "Ava", "familyName": "Nguyen"}
    assert body["title"] == "Sales Manager"
    assert body["addresses"] == [{"locality": "Austin", "type": "work"}]
    assert body[ENTERPRISE] == {
        "employeeNumber": "E-1042",
        "division": "Americas",
        "department": "Sales",
        "manager": {"value": "helen.cho@example.com"},
    }
    assert "password" not in body
    employee = Employee.objects.get(pk=body["id"])
    assert (employee.organization, employee.email, employee.business_unit) == (
        acme,
        body["userName"],
        "Americas",
    )
    assert employee.manager_email == "helen.cho@example.com"
    assert employee.manager_link == Employee.ManagerLink.PENDING
    # Okta's placeholder password is never stored, and nothing else gives a way to sign in yet.
    assert employee.user is None
    assert not get_user_model().objects.exists()


def test_duplicate_username_is_a_409_compared_case_insensitively(scim):
    create(scim)

    response = scim.post("/Users", user_payload("AVA.Nguyen@Example.com"))

    assert response.status_code == 409
    assert response.body["scimType"] == "uniqueness"
    assert "already exists" in response.body["detail"]
    assert Employee.objects.count() == 1


def test_wizard_put_round_trip_changes_nothing(scim):
    user = create(scim)
    stored = scim.get(f"/Users/{user['id']}").body

    response = scim.put(f"/Users/{user['id']}", {**stored, "password": "placeholder"})

    assert response.status_code == 200
    assert {k: v for k, v in response.body.items() if k != "meta"} == {
        k: v for k, v in stored.items() if k != "meta"
    }
    assert response.body["meta"]["version"] == stored["meta"]["version"]


def test_wizard_put_updates_deactivates_and_reactivates_in_place(scim):
    user = create(scim)
    stored = scim.get(f"/Users/{user['id']}").body

    updated = scim.put(f"/Users/{user['id']}", {**stored, "title": "Sales Director"})
    assert (updated.status_code, updated.body["title"]) == (200, "Sales Director")

    deactivated = scim.put(f"/Users/{user['id']}", {**updated.body, "active": False})
    assert (deactivated.status_code, deactivated.body["active"]) == (200, False)
    employee = Employee.objects.get(pk=user["id"])
    assert employee.status == Employee.Status.DEACTIVATED
    # Deactivated users stay readable and findable, or reactivation would become a 409'd POST.
    assert scim.get(f"/Users/{user['id']}").body["active"] is False
    found = lookup(scim, "AVA.NGUYEN@example.com").body
    assert (found["totalResults"], found["Resources"][0]["id"]) == (1, user["id"])

    reactivated = scim.put(f"/Users/{user['id']}", {**deactivated.body, "active": True})
    assert (reactivated.status_code, reactivated.body["active"], reactivated.body["id"]) == (
        200,
        True,
        user["id"],
    )
    assert Employee.objects.get(pk=user["id"]).status == Employee.Status.ACTIVE


def test_put_clears_attributes_okta_no_longer_sends(scim):
    user = create(scim)
    stored = scim.get(f"/Users/{user['id']}").body
    del stored["title"]
    del stored[ENTERPRISE]["manager"]

    body = scim.put(f"/Users/{user['id']}", stored).body

    assert "title" not in body and "manager" not in body[ENTERPRISE]
    assert Employee.objects.get(pk=user["id"]).manager_email == ""


def test_catalog_patch_without_path_deactivates(scim):
    user = create(scim)

    response = scim.patch(f"/Users/{user['id']}", fixture("okta_catalog_deactivate.json"))

    assert (response.status_code, response.body["active"]) == (200, False)
    assert Employee.objects.get(pk=user["id"]).status == Employee.Status.DEACTIVATED


def test_import_pages_250_users_with_count_100(scim, acme):
    for n in range(250):
        EmployeeFactory(organization=acme, email=f"user{n:03}@example.com")
    seen = []
    for start in (1, 101, 201):
        body = scim.get(f"/Users?startIndex={start}&count=100").body
        assert (body["totalResults"], body["startIndex"]) == (250, start)
        assert body["itemsPerPage"] == len(body["Resources"])
        seen += [resource["id"] for resource in body["Resources"]]
    assert len(seen) == len(set(seen)) == 250
    assert seen == sorted(seen, key=int)  # a stable order
    past_the_end = scim.get("/Users?startIndex=301&count=100").body
    assert (past_the_end["totalResults"], past_the_end["itemsPerPage"]) == (250, 0)


def test_delete_hides_the_user_but_keeps_the_deactivated_employee(scim):
    user = create(scim)

    assert scim.delete(f"/Users/{user['id']}").status_code == 204

    assert scim.get(f"/Users/{user['id']}").status_code == 404
    assert lookup(scim, "ava.nguyen@example.com").body["totalResults"] == 0
    employee = Employee.objects.get(pk=user["id"])
    assert employee.status == Employee.Status.DEACTIVATED and employee.provider_deleted_at is not None


def test_post_after_delete_reactivates_the_same_employee(scim):
    user = create(scim)
    scim.delete(f"/Users/{user['id']}")

    response = scim.post("/Users", user_payload("ava.nguyen@example.com"))

    assert (response.status_code, response.body["id"], response.body["active"]) == (201, user["id"], True)
    employee = Employee.objects.get(pk=user["id"])
    assert employee.status == Employee.Status.ACTIVE and employee.provider_deleted_at is None
    assert scim.get(f"/Users/{user['id']}").status_code == 200


def test_post_links_an_unclaimed_employee_with_the_same_email(scim, acme):
    existing = EmployeeFactory(organization=acme, email="ava.nguyen@example.com", first_name="A")

    response = scim.post("/Users", user_payload("ava.nguyen@example.com"))

    assert (response.status_code, response.body["id"]) == (201, str(existing.pk))
    existing.refresh_from_db()
    assert existing.provisioning.connection == scim.connection
    assert (existing.first_name, existing.external_id) == ("Ava", "00u18ep2sjmnGT1wk698")
    assert Employee.objects.count() == 1


@pytest.mark.django_db
def test_import_page_renders_each_user_as_get_by_id_does(scim):
    full = scim.post("/Users", fixture("okta_create_user.json")).body
    bare = scim.post("/Users", {"schemas": [CORE], "userName": "not-an-email"}).body
    scim.put(f"/Users/{bare['id']}", {"schemas": [CORE], "userName": "not-an-email", "active": False})

    page = scim.get("/Users?startIndex=1&count=100").body["Resources"]

    assert page == [scim.get(f"/Users/{user['id']}").body for user in (full, bare)]
    assert page[1]["active"] is False and "emails" not in page[1]


def test_provisioned_user_without_a_login_account_deactivates_and_reactivates(
    scim, django_capture_on_commit_callbacks
):
    from employees.services import employee_apply_deactivation

    user = create(scim)
    with django_capture_on_commit_callbacks():  # the background task runs below, as a worker would
        response = scim.patch(f"/Users/{user['id']}", fixture("okta_catalog_deactivate.json"))
    assert (response.status_code, response.body["active"]) == (200, False)

    assert employee_apply_deactivation(employee_id=int(user["id"])) is True
    assert employee_apply_deactivation(employee_id=int(user["id"])) is False  # nothing left to apply
    employee = Employee.objects.get(pk=user["id"])
    assert employee.deactivation_applied_at is not None and employee.user_id is None

    reactivated = scim.put(f"/Users/{user['id']}", {**response.body, "active": True})
    assert (reactivated.status_code, reactivated.body["active"]) == (200, True)
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.status, employee.user_id) == (Employee.Status.ACTIVE, None)
    assert not get_user_model().objects.exists()
