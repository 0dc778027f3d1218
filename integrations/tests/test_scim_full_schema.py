"""Issue 16, defect 9: the whole core User and enterprise schemas are stored, returned and published.

/Schemas is the contract: a user built from what it publishes comes back equal, everything a user
resource returns is published, and a PUT without an attribute clears it.
"""

import base64
from urllib.parse import quote

import pytest

from employees.models import Employee
from employees.tests.factories import EmployeeFactory

from .conftest import fixture
from .test_scim_hostile_input import assert_scim_error

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# Server-set or never returned: not part of what a client writes and reads back.
NOT_ROUND_TRIPPED = {"id", "meta", "password", "groups", "schemas"}


def _value(attribute: dict, name: str):
    kind = attribute["type"]
    if attribute.get("canonicalValues"):
        return attribute["canonicalValues"][-1]
    if kind == "boolean":
        return True
    if kind == "reference":
        return f"https://example.com/{name}"
    if kind == "binary":
        return base64.b64encode(name.encode()).decode()
    if name in ("emails.value", "manager.value"):
        return f"{name.split('.')[0]}@example.com"
    return f"{name} value"


def _writable(attributes: list[dict]) -> list[dict]:
    return [a for a in attributes if a["mutability"] in ("readWrite", "immutable") and a["name"] != "active"]


def _fill(attribute: dict):
    """A value for every writable sub-attribute the schema publishes."""
    if attribute["type"] == "complex":
        value = {
            sub["name"]: _value(sub, f"{attribute['name']}.{sub['name']}")
            for sub in _writable(attribute["subAttributes"])
        }
    else:
        value = _value(attribute, attribute["name"])
    return [value] if attribute["multiValued"] else value


@pytest.fixture
def published(scim):
    return {schema: scim.get(f"/Schemas/{schema}").body["attributes"] for schema in (USER, ENTERPRISE)}


def full_user(published) -> dict:
    body = {attribute["name"]: _fill(attribute) for attribute in _writable(published[USER])}
    body["userName"] = "full.user@example.com"
    body[ENTERPRISE] = {attribute["name"]: _fill(attribute) for attribute in _writable(published[ENTERPRISE])}
    return {"schemas": [USER, ENTERPRISE], **body, "active": True}


def test_a_user_built_from_the_published_schema_comes_back_equal(scim, published):
    sent = full_user(published)
    assert {"nickName", "profileUrl", "timezone", "phoneNumbers", "ims", "x509Certificates"} <= set(sent)
    assert set(sent["name"]) == {
        "formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"
    }  # fmt: skip
    assert set(sent["addresses"][0]) == {
        "formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"
    }  # fmt: skip
    assert {"costCenter", "organization", "employeeNumber", "manager"} <= set(sent[ENTERPRISE])

    created = scim.post("/Users", sent)
    assert created.status_code == 201, created.body
    got = scim.get(f"/Users/{created.body['id']}").body

    returned = {key: value for key, value in got.items() if key not in NOT_ROUND_TRIPPED}
    assert returned == {key: value for key, value in sent.items() if key not in NOT_ROUND_TRIPPED}
    employee = Employee.objects.get(pk=created.body["id"])
    assert (employee.country, employee.cost_center, employee.timezone) == (
        "addresses.country value",
        "costCenter value",
        "timezone value",
    )
    assert employee.profile_extras["x509_certificates"][0]["value"] == sent["x509Certificates"][0]["value"]


def test_everything_a_user_returns_is_published(scim, published):
    created = scim.post("/Users", full_user(published)).body

    def names(attributes):
        return {a["name"]: {s["name"] for s in a.get("subAttributes", [])} for a in attributes}

    for schema, document in ((USER, created), (ENTERPRISE, created[ENTERPRISE])):
        publishes = names(published[schema])
        for key, value in document.items():
            if key in NOT_ROUND_TRIPPED or key == ENTERPRISE:
                continue
            assert key in publishes, key
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict):
                    assert set(entry) <= publishes[key], (key, entry)


def test_a_put_without_the_new_attributes_clears_them(scim, published):
    created = scim.post("/Users", full_user(published)).body

    response = scim.put(f"/Users/{created['id']}", {"schemas": [USER], "userName": "full.user@example.com"})

    assert response.status_code == 200, response.body
    # The userName is an email, so it is the email too (SPEC §2.5).
    assert set(response.body) == {"schemas", "id", "userName", "emails", "active", "meta"}
    employee = Employee.objects.get(pk=created["id"])
    assert (employee.name_formatted, employee.phone_number, employee.country, employee.cost_center) == (
        "",
        "",
        "",
        "",
    )
    assert employee.profile_extras == {}


def test_single_patch_paths_reach_the_new_attributes(scim):
    user = scim.post("/Users", fixture("entra_create_user.json")).body
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": 'addresses[type eq "work"].country', "value": "PT"},
            {"op": "Replace", "path": f"{ENTERPRISE}:costCenter", "value": "CC-1"},
            {"op": "Replace", "path": "timezone", "value": "Europe/Lisbon"},
        ],
    }

    body = scim.patch(f"/Users/{user['id']}", patch).body

    assert body["addresses"] == [{"country": "PT", "type": "work"}]
    assert (body[ENTERPRISE]["costCenter"], body["timezone"]) == ("CC-1", "Europe/Lisbon")
    remove = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": f"{ENTERPRISE}:costCenter"}],
    }
    assert "costCenter" not in scim.patch(f"/Users/{user['id']}", remove).body[ENTERPRISE]
    assert Employee.objects.get(pk=user["id"]).cost_center == ""


def test_the_work_address_is_shown_else_the_primary_one_and_the_others_are_kept(scim):
    body = {
        "schemas": [USER],
        "userName": "jo@example.com",
        "addresses": [
            {"type": "other", "locality": "Porto"},
            {"type": "home", "locality": "Lisbon", "country": "PT", "primary": True},
        ],
    }

    created = scim.post("/Users", body).body

    employee = Employee.objects.get(pk=created["id"])
    assert (employee.address_type, employee.location_city) == ("home", "Lisbon")
    assert created["addresses"] == [
        {"locality": "Lisbon", "country": "PT", "type": "home"},
        {"locality": "Porto", "type": "other"},
    ]
    work = {"type": "work", "locality": "Austin"}
    replaced = scim.put(f"/Users/{created['id']}", {**body, "addresses": [*body["addresses"], work]}).body
    assert replaced["addresses"][0] == {"locality": "Austin", "type": "work"}
    assert len(replaced["addresses"]) == 3


@pytest.mark.parametrize(
    "expression",
    [
        'addresses.country eq "US"',
        f'{ENTERPRISE}:costCenter eq "cc-4410"',
        'name.formatted sw "Ava"',
        'phoneNumbers.value eq "+1 425 555 0100"',
        'addresses[type eq "work" and postalCode eq "98052"]',
        'preferredLanguage pr and organization eq "Contoso"',
    ],
)
def test_stored_columns_are_filterable(scim, expression):
    user = scim.post("/Users", fixture("entra_create_user.json")).body
    scim.patch(f"/Users/{user['id']}", fixture("entra_update_profile.json"))
    scim.post("/Users", {"schemas": [USER], "userName": "other@example.com"})

    found = scim.get(f"/Users?filter={quote(expression)}")

    assert found.status_code == 200, found.body
    assert [resource["id"] for resource in found.body["Resources"]] == [user["id"]]


def test_attributes_kept_as_lists_are_not_filterable(scim):
    assert_scim_error(scim.get('/Users?filter=ims.value eq "x"'), 400, "invalidFilter")


@pytest.mark.parametrize(
    "overrides",
    [
        {"photos": [{"value": "not a uri"}]},
        {"roles": [{"value": f"r{n}"} for n in range(101)]},
        {"addresses": [{"country": "x" * 101}]},
        {"timezone": "x" * 101},
        {"x509Certificates": [{"value": "%%% not base64 %%%"}]},
    ],
)
def test_invalid_new_attributes_are_400_and_write_nothing(scim, overrides):
    body = {"schemas": [USER], "userName": "bad@example.com", **overrides}

    assert_scim_error(scim.post("/Users", body), 400)
    assert not Employee.objects.filter(username="bad@example.com").exists()


def test_a_create_that_links_keeps_the_hand_entered_profile(scim, acme):
    existing = EmployeeFactory(
        organization=acme,
        email="ava@example.com",
        phone_number="+351 210 000 000",
        street_address="Rua Augusta 1",
        location_city="Lisbon",
        postal_code="1100-048",
        country="PT",
        cost_center="CC-7",
        locale="pt-PT",
        timezone="Europe/Lisbon",
        profile_extras={"photos": [{"value": "https://example.com/ava.jpg", "type": "photo"}]},
    )
    body = {
        "schemas": [USER],
        "userName": "ava@example.com",
        "emails": [{"value": "ava@example.com", "type": "work"}],
        "name": {"formatted": "Ava Nguyen"},
        "roles": [{"value": "sales"}],
    }

    response = scim.post("/Users", body)

    assert (response.status_code, response.body["id"]) == (201, str(existing.pk))
    employee = Employee.objects.get(pk=existing.pk)
    assert employee.name_formatted == "Ava Nguyen"
    assert (
        employee.phone_number,
        employee.street_address,
        employee.location_city,
        employee.postal_code,
        employee.country,
        employee.cost_center,
        employee.locale,
        employee.timezone,
    ) == ("+351 210 000 000", "Rua Augusta 1", "Lisbon", "1100-048", "PT", "CC-7", "pt-PT", "Europe/Lisbon")
    assert employee.profile_extras == {
        "photos": [{"value": "https://example.com/ava.jpg", "type": "photo"}],
        "roles": [{"value": "sales"}],
    }
