"""Okta Group Push against portal teams, replayed from stored payloads."""

from employees.models import Team

from .conftest import fixture, user_payload


def team(group_id: str) -> Team:
    """The team a Group id names: its key after the "g" that keeps Group ids apart from Users'."""
    assert group_id.startswith("g"), group_id
    return Team.objects.get(pk=group_id[1:])


def test_group_push_create_add_remove_rename_put_delete(scim, acme):
    ava = scim.post("/Users", user_payload("ava@example.com")).body
    ben = scim.post("/Users", user_payload("ben@example.com")).body

    created = scim.post("/Groups", fixture("okta_group_push_create.json"))
    assert created.status_code == 201
    group_id = created.body["id"]
    assert created["Location"].endswith(f"/Groups/{group_id}")
    assert team(group_id).organization == acme

    added = scim.patch(f"/Groups/{group_id}", fixture("okta_group_push_add_member.json", user_id=ava["id"]))
    assert [m["value"] for m in added.body["members"]] == [ava["id"]]
    added = scim.patch(f"/Groups/{group_id}", fixture("okta_group_push_add_member.json", user_id=ben["id"]))
    assert sorted(m["value"] for m in added.body["members"]) == sorted([ava["id"], ben["id"]])

    removed = scim.patch(
        f"/Groups/{group_id}", fixture("okta_group_push_remove_member.json", user_id=ava["id"])
    )
    assert [m["value"] for m in removed.body["members"]] == [ben["id"]]

    renamed = scim.patch(f"/Groups/{group_id}", fixture("okta_group_push_rename.json", group_id=group_id))
    assert renamed.body["displayName"] == "Sales Europe"
    assert team(group_id).name == "Sales Europe"

    put = scim.put(
        f"/Groups/{group_id}",
        {**renamed.body, "displayName": "Sales", "members": [{"value": ava["id"]}]},
    )
    assert (put.body["displayName"], [m["value"] for m in put.body["members"]]) == ("Sales", [ava["id"]])

    listed = scim.get('/Groups?filter=displayName eq "sales"').body
    assert [g["id"] for g in listed["Resources"]] == [group_id]
    by_member = scim.get(f'/Groups?filter=members[value eq "{ava["id"]}"]').body
    assert by_member["totalResults"] == 1

    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert scim.get(f"/Groups/{group_id}").status_code == 404
    assert not Team.objects.filter(pk=group_id.removeprefix("g")).exists()


def test_unknown_member_is_refused_and_nothing_changes(scim):
    group = scim.post("/Groups", fixture("okta_group_push_create.json")).body

    response = scim.patch(
        f"/Groups/{group['id']}", fixture("okta_group_push_add_member.json", user_id="999999")
    )

    assert response.status_code == 400
    assert scim.get(f"/Groups/{group['id']}").body["members"] == []


def test_entra_s_group_sequence_adds_and_removes_members_with_a_null_ref(scim, acme):
    """Entra ID's documented group provisioning: members added and removed as values whose `$ref`
    is null. A removal matches members by value; one not in the group changes nothing, and an id
    that is no user id of this service is a 400."""
    ava = scim.post("/Users", user_payload("ava@example.com")).body["id"]
    ben = scim.post("/Users", user_payload("ben@example.com")).body["id"]
    group = scim.post("/Groups", fixture("entra_group_create.json")).body
    path = f"/Groups/{group['id']}"

    added = scim.patch(path, fixture("entra_group_add_members.json", user_id=ava, other_id=ben))
    assert sorted(m["value"] for m in added.body["members"]) == sorted([ava, ben])

    removed = scim.patch(path, fixture("entra_group_remove_members.json", user_id=ava))
    assert (removed.status_code, [m["value"] for m in removed.body["members"]]) == (200, [ben])
    assert list(team(group["id"]).members.values_list("pk", flat=True)) == [int(ben)]

    again = scim.patch(path, fixture("entra_group_remove_members.json", user_id=ava))
    assert (again.status_code, [m["value"] for m in again.body["members"]]) == (200, [ben])

    for bad in ("not-an-id", "0" + ben, "١"):
        refused = scim.patch(path, fixture("entra_group_remove_members.json", user_id=bad))
        assert (refused.status_code, refused.body["scimType"]) == (400, "invalidValue")
    assert list(team(group["id"]).members.values_list("pk", flat=True)) == [int(ben)]
