"""Client input that once reached the database or Python's parsers raw (issue "SCIM that no client
can break", defects 1, 2 and 5): a 400 or 404 SCIM error, and nothing written."""

import pytest

from employees.models import Employee, Team
from employees.tests.factories import EmployeeFactory

from .conftest import fixture, user_payload

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.body
    assert response.body["schemas"] == [ERROR_SCHEMA] and response.body["status"] == str(status)
    if scim_type:
        assert response.body["scimType"] == scim_type


@pytest.mark.parametrize(
    "overrides",
    [
        {"userName": "nul\u0000@example.com"},
        {"displayName": "Ava\u0000Nguyen"},
        {"name": {"givenName": "A\u0000", "familyName": "N"}},
        {"title": "\u0000"},
        {"externalId": "00u\u0000"},
    ],
)
def test_a_nul_character_anywhere_in_a_user_is_400_and_writes_nothing(scim, overrides):
    response = scim.post("/Users", user_payload("ava@example.com", **overrides))

    assert_scim_error(response, 400, "invalidValue")
    assert not Employee.objects.exists()


def test_a_nul_character_in_a_replacement_or_a_key_is_400_and_changes_nothing(scim):
    user = scim.post("/Users", user_payload("ava@example.com")).body
    for body in ({**user, "title": "Boss\u0000"}, {**user, "nick\u0000Name": "x"}):
        assert_scim_error(scim.put(f"/Users/{user['id']}", body), 400, "invalidValue")
    patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "\u0000"}]}
    assert_scim_error(scim.patch(f"/Users/{user['id']}", patch), 400, "invalidValue")
    assert Employee.objects.get().job_title == "Sales Manager"


def test_a_nul_character_in_a_group_or_a_filter_is_400(scim):
    group = {**fixture("okta_group_push_create.json"), "displayName": "Sales\u0000"}
    assert_scim_error(scim.post("/Groups", group), 400, "invalidValue")
    assert not Team.objects.exists()
    assert_scim_error(scim.get('/Users?filter=userName eq "a\u0000b"'), 400)
    search = {"schemas": [SEARCH], "filter": 'displayName eq "\u0000"'}
    assert_scim_error(scim.post("/Groups/.search", search), 400)


@pytest.mark.parametrize("query", ["excludedAttributes=%00", "attributes=title%00", "filter=%00"])
def test_a_write_whose_query_string_is_refused_writes_nothing(scim, query):
    """Found by the fuzz test: the answer's query parameters were read after the write."""
    user = scim.post("/Users", user_payload("ava@example.com")).body
    version = Employee.objects.get(pk=user["id"]).version

    assert_scim_error(scim.post(f"/Users?{query}", user_payload("liam@example.com")), 400)
    assert_scim_error(scim.put(f"/Users/{user['id']}?{query}", user_payload("ava@example.com")), 400)
    patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "CEO"}]}
    assert_scim_error(scim.patch(f"/Users/{user['id']}?{query}", patch), 400)
    assert_scim_error(scim.post(f"/Groups?{query}", fixture("okta_group_push_create.json")), 400)

    assert list(Employee.objects.values_list("username", flat=True)) == ["ava@example.com"]
    assert Employee.objects.get(pk=user["id"]).version == version
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    "expression",
    [
        'meta.lastModified gt "9999-99-99T99:99:99Z"',
        'meta.created lt "2026-02-30T10:00:00Z"',
        'meta.lastModified ge "2026-13-01T00:00:00Z"',
    ],
)
def test_an_impossible_date_in_a_filter_is_400_invalid_filter(scim, expression):
    assert_scim_error(scim.get(f"/Users?filter={expression}"), 400, "invalidFilter")
    assert_scim_error(scim.get(f"/Groups?filter={expression}"), 400, "invalidFilter")


@pytest.mark.parametrize("number", [2**31 + 1, 2**62, 2**63 - 1])
def test_start_index_and_count_past_any_row_are_answered(scim, acme, number):
    EmployeeFactory(organization=acme)
    for path in ("/Users", "/Groups"):
        page = scim.get(f"{path}?startIndex={number}&count=10")
        assert page.status_code == 200, page.body
        assert (page.body["Resources"], page.body["startIndex"]) == ([], number)
        assert page.body["totalResults"] == (1 if path == "/Users" else 0)
        counted = scim.get(f"{path}?startIndex=1&count={number}")
        assert counted.status_code == 200 and counted.body["totalResults"] == counted.body["itemsPerPage"]
    for path in ("/Users/.search", "/.search"):
        search = scim.post(path, {"schemas": [SEARCH], "startIndex": number, "count": number})
        assert search.status_code == 200 and search.body["Resources"] == []


@pytest.mark.parametrize("number", [2**63, 2**63 + 1, 10**30, -(2**64)])
def test_start_index_or_count_beyond_64_bits_is_400(scim, number):
    for path in ("/Users", "/Groups"):
        assert_scim_error(scim.get(f"{path}?startIndex={number}&count=10"), 400, "invalidValue")
        assert_scim_error(scim.get(f"{path}?startIndex=1&count={number}"), 400, "invalidValue")
    for path in ("/Users/.search", "/Groups/.search", "/.search"):
        for body in ({"startIndex": number}, {"count": number}):
            assert_scim_error(scim.post(path, {"schemas": [SEARCH], **body}), 400)


SCRIPTS = {"arabic-indic": "٠", "fullwidth": "０", "devanagari": "०", "bengali": "০", "thai": "๐"}


def spellings(pk: int) -> dict[str, str]:
    """Other spellings of the id `pk` that int() and str.isdigit() would accept as that number."""
    digits = str(pk)
    other = {
        name: digits.translate({ord("0") + d: ord(zero) + d for d in range(10)})
        for name, zero in SCRIPTS.items()
    }
    return {**other, "leading zero": f"0{digits}", "plus": f"+{digits}", "decimal": f"{digits}.0"}


def test_a_resource_id_has_one_spelling_and_every_other_is_404(scim, acme):
    employee = EmployeeFactory(organization=acme, job_title="Kept")
    body = {**user_payload(employee.email), "title": "Taken over"}
    assert scim.get(f"/Users/{employee.pk}").status_code == 200
    for name, spelled in spellings(employee.pk).items():
        assert_scim_error(scim.get(f"/Users/{spelled}"), 404), name
        assert_scim_error(scim.put(f"/Users/{spelled}", body), 404), name
        assert scim.get(f'/Users?filter=id eq "{spelled}"').body["totalResults"] == 0, name
    assert Employee.objects.get(pk=employee.pk).job_title == "Kept"


def test_a_create_that_links_an_existing_employee_keeps_what_the_body_leaves_out(scim, acme):
    """Defect 5: linking a hand-added employee by email kept only what the body carried."""
    boss = EmployeeFactory(organization=acme, email="boss@example.com")
    existing = EmployeeFactory(
        organization=acme,
        email="ava@example.com",
        first_name="Ava",
        job_title="Engineer",
        department="R&D",
        business_unit="Europe",
        location_city="Lisbon",
        employee_number="E-7",
        manager_email="boss@example.com",
    )
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ava@example.com",
        "name": {"givenName": "Ava", "familyName": "Nguyen"},
        "emails": [{"value": "ava@example.com", "type": "work", "primary": True}],
        "active": True,
    }

    response = scim.post("/Users", body)

    assert (response.status_code, response.body["id"]) == (201, str(existing.pk))
    employee = Employee.objects.get(pk=existing.pk)
    assert employee.last_name == "Nguyen"  # what the body sent is written
    assert (
        employee.job_title,
        employee.department,
        employee.business_unit,
        employee.location_city,
        employee.employee_number,
        employee.manager_email,
    ) == ("Engineer", "R&D", "Europe", "Lisbon", "E-7", boss.email)
    assert employee.provisioning.connection == scim.connection


def test_the_published_schema_says_emails_are_unique_as_the_server_enforces(scim):
    """Defect 4: a second user with an email in use is a 409, and /Schemas says so."""
    schema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").body
    emails = next(a for a in schema["attributes"] if a["name"] == "emails")
    value = next(a for a in emails["subAttributes"] if a["name"] == "value")
    assert value["uniqueness"] == "server"

    scim.post("/Users", user_payload("ava@example.com"))
    taken = user_payload("someone.else@example.com")
    taken["emails"][0]["value"] = "AVA@example.com"
    assert_scim_error(scim.post("/Users", taken), 409, "uniqueness")


@pytest.mark.parametrize("address", ["zoë@example.com", "josé.garcía@example.com", "用户@例子.广告"])
def test_internationalised_email_addresses_are_accepted(scim, address):
    """Defect 6: RFC 6531 local parts, as Okta and Entra ID allow them."""
    response = scim.post("/Users", user_payload(address))

    assert response.status_code == 201, response.body
    assert response.body["emails"][0]["value"] == address
    assert Employee.objects.get(pk=response.body["id"]).email == address


@pytest.mark.parametrize("address", ["zo ë@example.com", "a..b@example.com", "ab.@example.com", "a@b@c.com"])
def test_malformed_email_addresses_are_still_400(scim, address):
    body = user_payload("ava@example.com")
    body["emails"][0]["value"] = address
    assert_scim_error(scim.post("/Users", body), 400, "invalidValue")
    assert not Employee.objects.exists()


def test_a_host_not_allowed_is_a_scim_400_on_scim_routes(scim, client):
    """Defect 7: Django's host check answered an HTML page."""
    response = client.get(f"{scim.base}/Users", HTTP_HOST="evil.example", HTTP_AUTHORIZATION=scim.auth)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/scim+json")
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    page = client.get("/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/scim+json")


def test_user_and_group_ids_never_name_each_other(scim, acme):
    """Defect 2: /Users/13 and /Groups/13 both existed (RFC 7643 §3.1: ids are unique across
    every resource of the service provider)."""
    users = [scim.post("/Users", user_payload(f"u{n}@example.com")).body["id"] for n in range(3)]
    groups = [
        scim.post("/Groups", {**fixture("okta_group_push_create.json"), "displayName": f"T{n}"}).body["id"]
        for n in range(3)
    ]
    assert not set(users) & set(groups)
    for user_id, group_id in zip(users, groups, strict=True):
        assert_scim_error(scim.get(f"/Groups/{user_id}"), 404)
        assert_scim_error(scim.get(f"/Users/{group_id}"), 404)
        assert scim.get(f"/Groups/{group_id}").body["meta"]["location"].endswith(f"/Groups/{group_id}")
        assert scim.get(f'/Groups?filter=id eq "{user_id}"').body["totalResults"] == 0
        assert scim.get(f'/Users?filter=groups.value eq "{user_id}"').body["totalResults"] == 0
    found = scim.post("/.search", {"schemas": [SEARCH], "count": 50}).body["Resources"]
    ids = [resource["id"] for resource in found]
    assert len(ids) == len(set(ids)) == 6
