"""The product's SCIM extension: an organization's custom profile fields over SCIM (issue 20, item 2)."""

import pytest

from employees.models import Employee
from employees.services import custom_field_archive, custom_field_create
from integrations.tests.conftest import fixture, user_payload

CUSTOM = "urn:ietf:params:scim:schemas:extension:engagedly:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def fields(acme):
    made = {
        "office": custom_field_create(organization=acme, key="office", label="Office", field_type="text"),
        "badge": custom_field_create(organization=acme, key="badge", label="Badge", field_type="number"),
        "startDate": custom_field_create(
            organization=acme, key="startDate", label="Start", field_type="date"
        ),
        "remote": custom_field_create(organization=acme, key="remote", label="Remote", field_type="boolean"),
        "tier": custom_field_create(
            organization=acme, key="tier", label="Tier", field_type="choice", choices=["Gold", "Silver"]
        ),
    }
    return made


def _patch(*operations):
    return {"schemas": [PATCH], "Operations": list(operations)}


def test_okta_custom_attributes_under_the_extension_are_stored_typed(scim, fields):
    response = scim.post("/Users", fixture("okta_create_user_custom.json"))
    assert response.status_code == 201, response.body
    employee = Employee.objects.get(pk=response.body["id"])
    # Typed by the field's rules; the choice takes the option's spelling; unknown keys are ignored.
    assert employee.custom_values == {
        "office": "Austin HQ 4th floor",
        "badge": 1042,
        "startDate": "2021-03-15",
        "remote": True,
        "tier": "Gold",
    }
    assert employee.location_city == "Austin"
    assert CUSTOM in response.body["schemas"]
    assert response.body[CUSTOM] == employee.custom_values
    assert scim.get(f"/Users/{employee.pk}").body[CUSTOM]["badge"] == 1042


def test_flat_urn_members_are_read_like_the_nested_section(scim, fields):
    body = user_payload(**{f"{CUSTOM}:office": "Lisbon", f"{CUSTOM}:REMOTE": "yes"})
    created = scim.post("/Users", body).body
    assert Employee.objects.get(pk=created["id"]).custom_values == {"office": "Lisbon", "remote": True}


def test_entra_patch_by_extension_attribute_path(scim, fields):
    created = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    response = scim.patch(f"/Users/{created['id']}", fixture("entra_update_custom.json"))
    assert response.status_code == 200, response.body
    employee = Employee.objects.get(pk=created["id"])
    assert employee.custom_values["office"] == "Redmond B92"
    assert employee.custom_values["remote"] is False
    assert employee.custom_values["badge"] == 7
    assert employee.custom_values["tier"] == "Gold"  # untouched
    assert employee.job_title == "Director"
    assert response.body[CUSTOM]["office"] == "Redmond B92"


def test_patch_forms_pathless_section_bare_urn_and_remove(scim, fields):
    user = scim.post("/Users", user_payload()).body
    url = f"/Users/{user['id']}"
    scim.patch(url, _patch({"op": "add", "value": {CUSTOM: {"office": "Oslo"}, "title": "Lead"}}))
    scim.patch(url, _patch({"op": "replace", "value": {f"{CUSTOM}:tier": "silver"}}))
    scim.patch(url, _patch({"op": "replace", "path": CUSTOM, "value": {"badge": 3}}))
    employee = Employee.objects.get(pk=user["id"])
    assert employee.custom_values == {"office": "Oslo", "tier": "Silver", "badge": 3}
    assert employee.job_title == "Lead"
    scim.patch(url, _patch({"op": "remove", "path": f"{CUSTOM}:office"}))
    assert Employee.objects.get(pk=user["id"]).custom_values == {"tier": "Silver", "badge": 3}
    version = Employee.objects.get(pk=user["id"]).version
    # The same value again changes nothing: no write, no version bump.
    assert (
        scim.patch(url, _patch({"op": "replace", "path": f"{CUSTOM}:badge", "value": 3})).status_code == 200
    )
    assert Employee.objects.get(pk=user["id"]).version == version
    scim.patch(url, _patch({"op": "remove", "path": CUSTOM}))
    assert Employee.objects.get(pk=user["id"]).custom_values == {}


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("office", 12, "Office: enter text"),
        ("badge", "twelve", "Badge: enter a number"),
        ("startDate", "next week", "Start: enter a date as YYYY-MM-DD"),
        ("remote", "maybe", "Remote: enter true or false"),
        ("tier", "Bronze", "Tier: choose one of Gold, Silver"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_field(scim, fields, key, value, message):
    body = user_payload(**{CUSTOM: {key: value}})
    response = scim.post("/Users", body)
    assert response.status_code == 400
    assert response.body["scimType"] == "invalidValue"
    assert f"{CUSTOM}:{key}" in response.body["detail"] and message in response.body["detail"]
    assert not Employee.objects.filter(username="ava.nguyen@example.com").exists()
    # The same refusal for a PATCH and a PUT, and nothing written.
    user = scim.post("/Users", user_payload()).body
    before = Employee.objects.get(pk=user["id"]).version
    patched = scim.patch(
        f"/Users/{user['id']}", _patch({"op": "add", "path": f"{CUSTOM}:{key}", "value": value})
    )
    put = scim.put(f"/Users/{user['id']}", {**user, "title": "X", CUSTOM: {key: value}})
    assert (patched.status_code, put.status_code) == (400, 400)
    assert Employee.objects.get(pk=user["id"]).version == before


def test_put_replaces_active_fields_and_keeps_archived_ones(scim, fields):
    created = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    custom_field_archive(field=fields["badge"])
    got = scim.get(f"/Users/{created['id']}").body
    assert "badge" not in got[CUSTOM]  # an archived field is no longer published
    body = {**got, CUSTOM: {"office": "Remote"}}
    assert scim.put(f"/Users/{created['id']}", body).status_code == 200
    # Absent active fields are cleared; the archived field's value stays until an admin deletes it.
    assert Employee.objects.get(pk=created["id"]).custom_values == {"office": "Remote", "badge": 1042}


def test_a_create_that_links_an_existing_employee_keeps_the_values_it_does_not_send(scim, acme, fields):
    from employees.tests.factories import EmployeeFactory

    existing = EmployeeFactory(organization=acme, email="ava.nguyen@example.com")
    Employee.objects.filter(pk=existing.pk).update(custom_values={"office": "Paris", "badge": 9})
    response = scim.post("/Users", user_payload(**{CUSTOM: {"badge": 10}}))
    assert response.status_code == 201
    assert str(existing.pk) == response.body["id"]
    assert Employee.objects.get(pk=existing.pk).custom_values == {"office": "Paris", "badge": 10}


def test_custom_values_are_not_rendered_for_an_organization_without_the_field(
    scim, outsider_scim, acme, fields
):
    created = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    other = outsider_scim.post("/Users", fixture("okta_create_user_custom.json")).body
    assert CUSTOM not in other and CUSTOM not in other["schemas"]
    assert Employee.objects.get(pk=other["id"]).custom_values == {}
    assert outsider_scim.get(f"/Users/{created['id']}").status_code == 404


def test_attributes_parameter_selects_within_the_extension(scim, fields):
    created = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    only = scim.get(f"/Users/{created['id']}?attributes=userName,{CUSTOM}:office").body
    assert only[CUSTOM] == {"office": "Austin HQ 4th floor"}
    without = scim.get(f"/Users/{created['id']}?excludedAttributes={CUSTOM}").body
    assert CUSTOM not in without and CUSTOM not in without["schemas"]
    listed = scim.get("/Users?count=10").body["Resources"][0]
    assert listed[CUSTOM]["tier"] == "Gold"


def test_filters_on_custom_attributes_are_refused_clearly(scim, fields):
    response = scim.get(f'/Users?filter={CUSTOM}:office eq "Austin"')
    assert response.status_code == 400
    assert response.body["scimType"] == "invalidFilter"


def test_discovery_publishes_the_organizations_extension(scim, outsider_scim, fields):
    documents = {doc["id"]: doc for doc in scim.get("/Schemas").body["Resources"]}
    extension = documents[CUSTOM]
    attributes = {a["name"]: a for a in extension["attributes"]}
    assert {name: a["type"] for name, a in attributes.items()} == {
        "office": "string",
        "badge": "decimal",
        "startDate": "string",
        "remote": "boolean",
        "tier": "string",
    }
    assert "YYYY-MM-DD" in attributes["startDate"]["description"]
    assert attributes["tier"]["canonicalValues"] == ["Gold", "Silver"]
    assert all(a["mutability"] == "readWrite" and a["required"] is False for a in attributes.values())
    assert scim.get(f"/Schemas/{CUSTOM}").body["id"] == CUSTOM
    user_type = scim.get("/ResourceTypes/User").body
    assert {"schema": CUSTOM, "required": False} in user_type["schemaExtensions"]
    # Another organization, without custom fields, publishes no extension.
    assert CUSTOM not in {doc["id"] for doc in outsider_scim.get("/Schemas").body["Resources"]}
    assert outsider_scim.get(f"/Schemas/{CUSTOM}").status_code == 404
    other_type = outsider_scim.get("/ResourceTypes/User").body
    assert CUSTOM not in [ext["schema"] for ext in other_type["schemaExtensions"]]


def test_an_archived_field_leaves_the_schema(scim, fields):
    custom_field_archive(field=fields["tier"])
    extension = scim.get(f"/Schemas/{CUSTOM}").body
    assert "tier" not in [a["name"] for a in extension["attributes"]]


def test_root_search_renders_the_extension(scim, fields):
    scim.post("/Users", fixture("okta_create_user_custom.json"))
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": 'userName sw "ava"'}
    found = scim.post("/.search", body).body["Resources"]
    assert found[0][CUSTOM]["office"] == "Austin HQ 4th floor"
