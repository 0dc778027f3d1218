"""Okta Group Push against portal teams, replayed from stored payloads."""

from employees.models import Team

from .conftest import fixture, user_payload


def test_group_push_create_add_remove_rename_put_delete(scim, acme):
    ava = scim.post("/Users", user_payload("ava@example.com")).body
    ben = scim.post("/Users", user_payload("ben@example.com")).body

    created = scim.post("/Groups", fixture("okta_group_push_create.json"))
    assert created.status_code == 201
    group_id = created.body["id"]
    assert created["Location"].endswith(f"/Groups/{group_id}")
    assert Team.objects.get(pk=group_id).organization == acme

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
    assert Team.objects.get(pk=group_id).name == "Sales Europe"

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
    assert not Team.objects.filter(pk=group_id).exists()


def test_unknown_member_is_refused_and_nothing_changes(scim):
    group = scim.post("/Groups", fixture("okta_group_push_create.json")).body

    response = scim.patch(
        f"/Groups/{group['id']}", fixture("okta_group_push_add_member.json", user_id="999999")
    )

    assert response.status_code == 400
    assert scim.get(f"/Groups/{group['id']}").body["members"] == []
