"""Microsoft Entra ID's and OneLogin's dialects, replayed from stored payloads (SPEC §4)."""

from employees.models import Employee

from .conftest import fixture, user_payload

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_guid_probe_answers_an_empty_list(scim):
    response = scim.get('/Users?filter=userName eq "7f3c2e0a-96c1-4b8e-8f0e-2d1c3b4a5f6e"')

    assert response.status_code == 200
    assert response.body["totalResults"] == 0 and response.body["Resources"] == []
    assert response.body["startIndex"] == 1


def test_create_with_string_boolean_and_manager_as_a_string(scim):
    response = scim.post("/Users", fixture("entra_create_user.json"))

    assert response.status_code == 201
    assert response.body["active"] is True
    assert response.body[ENTERPRISE]["manager"] == {"value": "helen.cho@contoso.com"}
    assert Employee.objects.get(pk=response.body["id"]).manager_email == "helen.cho@contoso.com"


def test_capitalised_ops_filtered_email_path_manager_and_string_false(scim):
    user = scim.post("/Users", user_payload("ava.nguyen@example.com")).body

    response = scim.patch(f"/Users/{user['id']}", fixture("entra_update_disable.json"))

    assert response.status_code == 200, response.body
    body = response.body
    assert body["emails"] == [{"value": "ava@contoso.com", "type": "work"}]
    assert body["name"]["familyName"] == "Nguyen-Cho"
    assert body[ENTERPRISE]["manager"] == {"value": "helen.cho@contoso.com"}
    assert body["active"] is False
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.email, employee.status) == ("ava@contoso.com", Employee.Status.DEACTIVATED)


def test_filtered_email_path_creates_the_entry_when_missing(scim):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "jo"}
    user = scim.post("/Users", body).body
    assert "emails" not in user

    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": 'emails[type eq "work"].value', "value": "jo@contoso.com"}],
    }
    response = scim.patch(f"/Users/{user['id']}", patch)

    assert response.body["emails"] == [{"value": "jo@contoso.com", "type": "work"}]


def test_pathless_replace_with_dotted_and_urn_keys(scim):
    user = scim.post("/Users", user_payload()).body

    body = scim.patch(f"/Users/{user['id']}", fixture("entra_pathless_dotted.json")).body

    assert body["name"] == {"givenName": "Avery", "familyName": "Nguyen"}
    assert body["title"] == "VP Sales"
    assert body[ENTERPRISE]["department"] == "Revenue"


def test_manager_set_as_object_then_removed_without_value(scim):
    user = scim.post("/Users", user_payload()).body
    set_manager = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": "boss@contoso.com"}}
        ],
    }
    assert scim.patch(f"/Users/{user['id']}", set_manager).body[ENTERPRISE]["manager"] == {
        "value": "boss@contoso.com"
    }

    body = scim.patch(f"/Users/{user['id']}", fixture("entra_manager_remove.json")).body

    assert "manager" not in body[ENTERPRISE]
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.manager_email, employee.manager_link) == ("", Employee.ManagerLink.NONE)


def test_start_index_zero_means_one(scim):
    scim.post("/Users", user_payload())

    body = scim.get("/Users?startIndex=0&count=10").body

    assert (body["startIndex"], body["totalResults"], body["itemsPerPage"]) == (1, 1, 1)


def test_onelogin_emails_as_one_object_and_string_booleans(scim):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "sam@example.com",
        "emails": {"value": "sam.work@example.com", "primary": "true"},
        "active": "false",
    }

    response = scim.post("/Users", body)

    assert response.status_code == 201, response.body
    assert response.body["emails"] == [{"value": "sam.work@example.com", "type": "work"}]
    assert response.body["active"] is False


def test_primary_email_wins_over_others(scim):
    body = user_payload("kim@example.com")
    body["emails"] = [
        {"value": "kim.home@example.com", "type": "home"},
        {"value": "kim.work@example.com", "type": "work", "primary": True},
    ]

    assert scim.post("/Users", body).body["emails"][0]["value"] == "kim.work@example.com"


def test_entra_delete_after_hard_delete_answers_204_then_404(scim):
    user = scim.post("/Users", fixture("entra_create_user.json")).body

    assert scim.delete(f"/Users/{user['id']}").status_code == 204
    assert scim.delete(f"/Users/{user['id']}").status_code == 404


def test_entra_create_stores_and_returns_name_formatted(scim):
    response = scim.post("/Users", fixture("entra_create_user.json"))

    assert response.status_code == 201
    assert response.body["name"]["formatted"] == "Ava Nguyen"
    assert Employee.objects.get(pk=response.body["id"]).name_formatted == "Ava Nguyen"
    assert scim.get(f"/Users/{response.body['id']}").body["name"]["formatted"] == "Ava Nguyen"


def test_entra_profile_patch_stores_address_country_phones_and_cost_center(scim):
    """Entra ID's default attribute paths, replayed: filtered address and phone paths create the
    entries they name, and a repeat of the same PATCH changes nothing."""
    user = scim.post("/Users", fixture("entra_create_user.json")).body

    response = scim.patch(f"/Users/{user['id']}", fixture("entra_update_profile.json"))

    assert response.status_code == 200, response.body
    body = scim.get(f"/Users/{user['id']}").body
    assert body["name"]["formatted"] == "Ava Nguyen-Cho"
    assert body["addresses"] == [
        {
            "formatted": "Building 92",
            "streetAddress": "1 Microsoft Way",
            "locality": "Redmond",
            "region": "WA",
            "postalCode": "98052",
            "country": "US",
            "type": "work",
        }
    ]
    assert body["phoneNumbers"] == [
        {"value": "+1 425 555 0100", "type": "work"},
        {"value": "+1 425 555 0199", "type": "mobile"},
        {"value": "+1 425 555 0101", "type": "fax"},
    ]
    assert body["preferredLanguage"] == "en-US"
    assert body[ENTERPRISE]["costCenter"] == "CC-4410"
    assert body[ENTERPRISE]["organization"] == "Contoso"
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.country, employee.location_city, employee.phone_number, employee.cost_center) == (
        "US",
        "Redmond",
        "+1 425 555 0100",
        "CC-4410",
    )
    assert employee.profile_extras["phone_numbers"] == [
        {"value": "+1 425 555 0199", "type": "mobile"},
        {"value": "+1 425 555 0101", "type": "fax"},
    ]

    again = scim.patch(f"/Users/{user['id']}", fixture("entra_update_profile.json"))

    assert again.body["meta"]["version"] == body["meta"]["version"]
    assert again.body["phoneNumbers"] == body["phoneNumbers"]
