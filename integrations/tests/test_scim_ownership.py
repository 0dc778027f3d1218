"""One owner per employee: two connections of one organization each see and change only their own
(and unowned) employees; integration admins move and release employees, recorded."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import services
from integrations.models import GuardDecision, ProvisionedEmployee
from integrations.tests.conftest import ScimClient, user_payload

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def eu(client, acme):
    created = services.connection_create(organization=acme, name="Okta EU")
    return ScimClient(client, created.connection, created.plaintext_token)


@pytest.fixture
def ava(scim):
    return scim.post("/Users", user_payload("ava@acme.example")).body


def owner_of(pk) -> str | None:
    link = ProvisionedEmployee.objects.filter(employee_id=pk).select_related("connection").first()
    return link.connection.name if link else None


def test_the_other_connection_neither_lists_nor_finds_it(scim, eu, ava):
    assert eu.get("/Users").body["totalResults"] == 0
    assert eu.get('/Users?filter=userName eq "ava@acme.example"').body["totalResults"] == 0
    search = {"schemas": [SEARCH], "filter": 'userName eq "ava@acme.example"'}
    assert eu.post("/Users/.search", search).body["totalResults"] == 0
    assert eu.post("/.search", search).body["totalResults"] == 0
    assert scim.get('/Users?filter=userName eq "ava@acme.example"').body["totalResults"] == 1


def test_the_other_connection_gets_404_by_id(scim, eu, ava):
    path = f"/Users/{ava['id']}"
    patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    answers = [eu.get(path), eu.put(path, {**ava, "title": "Spy"}), eu.patch(path, patch), eu.delete(path)]
    assert [answer.status_code for answer in answers] == [404] * 4
    employee = Employee.objects.get(pk=ava["id"])
    assert (employee.status, employee.job_title, employee.provider_deleted_at) == (
        "active",
        ava.get("title", ""),
        None,
    )


def test_a_create_with_its_username_or_email_is_409_naming_the_owner(eu, ava):
    same_username = eu.post("/Users", user_payload("ava@acme.example"))
    assert (same_username.status_code, same_username.body["scimType"]) == (409, "uniqueness")
    assert "managed by the connection “Okta”" in same_username.body["detail"]
    same_email = user_payload("ava.other")
    same_email["emails"][0]["value"] = "AVA@acme.example"
    answer = eu.post("/Users", same_email)
    assert answer.status_code == 409 and "“Okta”" in answer.body["detail"]
    assert owner_of(ava["id"]) == "Okta"


def test_unowned_employees_are_seen_by_both_and_linked_by_the_first_create(scim, eu, acme):
    hand_made = EmployeeFactory(organization=acme, email="hand@acme.example")
    assert eu.get(f"/Users/{hand_made.pk}").status_code == 200
    assert scim.get(f"/Users/{hand_made.pk}").status_code == 200
    assert eu.post("/Users", user_payload("hand@acme.example")).status_code == 201
    assert scim.get(f"/Users/{hand_made.pk}").status_code == 404


def test_move_and_release_by_an_integration_admin_are_recorded(scim, eu, ava, acme_admin):
    web = signed_in(Client(), acme_admin)
    url = reverse("integrations:employee-owner", args=[ava["id"]])
    page = web.get(reverse("employees:detail", args=[ava["id"]])).content.decode()
    assert "Managed by <strong>Okta</strong>" in page and "Okta EU" in page

    web.post(url, {"action": "move", "connection": eu.connection.pk})
    assert owner_of(ava["id"]) == "Okta EU"
    assert eu.get(f"/Users/{ava['id']}").status_code == 200
    assert scim.get(f"/Users/{ava['id']}").status_code == 404

    web.post(url, {"action": "release"})
    assert owner_of(ava["id"]) is None
    relinked = scim.post("/Users", user_payload("ava@acme.example"))
    assert (relinked.status_code, relinked.body["id"]) == (201, ava["id"])
    assert owner_of(ava["id"]) == "Okta"

    decisions = list(GuardDecision.objects.order_by("pk").values_list("action", "actor", "count", "detail"))
    assert [row[:3] for row in decisions] == [
        ("move", acme_admin.user.pk, 1),
        ("release", acme_admin.user.pk, 1),
    ]
    assert "from Okta to Okta EU" in decisions[0][3]


def test_only_integration_admins_move_employees(scim, ava, acme, outsider_admin, eu):
    plain = EmployeeFactory(organization=acme, email="plain@acme.example", password="pw-Plain-123")
    url = reverse("integrations:employee-owner", args=[ava["id"]])
    assert signed_in(Client(), plain).post(url, {"action": "release"}).status_code == 403
    # Another organization's admin: the employee does not exist there.
    assert signed_in(Client(), outsider_admin).post(url, {"action": "release"}).status_code == 404
    assert owner_of(ava["id"]) == "Okta"
    bad = signed_in(Client(), EmployeeFactory(organization=acme, email="a2@acme.example", is_org_admin=True))
    assert bad.post(url, {"action": "move", "connection": "x"}).status_code == 302
    assert bad.post(url, {"action": "move", "connection": "999999"}).status_code == 404


def test_deleting_the_owner_releases_its_employees(scim, eu, ava):
    services.connection_delete(connection=scim.connection)
    assert eu.get(f"/Users/{ava['id']}").status_code == 200
    assert eu.post("/Users", user_payload("ava@acme.example")).body["id"] == ava["id"]


def test_groups_show_and_change_only_this_connection_s_members(scim, eu, ava):
    bob = eu.post("/Users", user_payload("bob@acme.example")).body
    group = scim.post(
        "/Groups", {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": ava["id"]}]}
    )
    seen = eu.get(f"/Groups/{group.body['id']}").body
    assert seen["members"] == []
    refused = eu.post("/Groups", {"schemas": [GROUP], "displayName": "EU", "members": [{"value": ava["id"]}]})
    assert (refused.status_code, refused.body["scimType"]) == (400, "invalidValue")
    # A full replacement from the other connection cannot remove what it does not see.
    eu.put(f"/Groups/{group.body['id']}", {**seen, "members": [{"value": bob["id"]}]})
    # Each connection sees its own member of the team, which has both.
    for client, member in ((scim, ava), (eu, bob)):
        members = client.get(f"/Groups/{group.body['id']}").body["members"]
        assert [shown["value"] for shown in members] == [member["id"]]
