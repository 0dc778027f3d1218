"""One organization's token never reads or changes another organization's data."""

import pytest

from employees.models import Employee, Team

from .conftest import fixture, user_payload

PATCH = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "value": {"active": False, "displayName": "Hacked"}}],
}


@pytest.fixture
def acme_ids(scim):
    user = scim.post("/Users", user_payload("ava@acme.example")).body
    group = scim.post(
        "/Groups", {**fixture("okta_group_push_create.json"), "members": [{"value": user["id"]}]}
    ).body
    return user["id"], group["id"]


def snapshot():
    return (
        list(Employee.objects.order_by("pk").values()),
        list(Team.objects.order_by("pk").values()),
        list(Team.members.through.objects.order_by("pk").values()),
    )


def requests(user_id, group_id):
    yield "GET", f"/Users/{user_id}", None
    yield "PUT", f"/Users/{user_id}", user_payload("ava@acme.example", title="Hacked")
    yield "PATCH", f"/Users/{user_id}", PATCH
    yield "DELETE", f"/Users/{user_id}", None
    yield "GET", f"/Groups/{group_id}", None
    yield "PUT", f"/Groups/{group_id}", {**fixture("okta_group_push_create.json"), "displayName": "Hacked"}
    yield "PATCH", f"/Groups/{group_id}", PATCH
    yield "DELETE", f"/Groups/{group_id}", None


def test_other_organization_ids_do_not_exist_under_its_own_url(acme_ids, outsider_scim):
    before = snapshot()

    for method, path, body in requests(*acme_ids):
        response = outsider_scim.request(method, path, body)
        assert response.status_code == 404, (method, path, response.body)

    assert outsider_scim.get("/Users").body["totalResults"] == 0
    assert outsider_scim.get('/Users?filter=userName eq "ava@acme.example"').body["totalResults"] == 0
    assert outsider_scim.get(f'/Groups?filter=id eq "{acme_ids[1]}"').body["totalResults"] == 0
    # Adding Acme's user to the outsider's own group is refused too.
    group = outsider_scim.post(
        "/Groups", {**fixture("okta_group_push_create.json"), "members": [{"value": acme_ids[0]}]}
    )
    assert group.status_code == 400
    assert snapshot() == before


def test_other_organization_token_on_acme_url_is_401(acme_ids, scim, outsider_scim):
    outsider_scim.base = scim.base
    before = snapshot()

    for method, path, body in [
        *requests(*acme_ids),
        ("GET", "/Users", None),
        ("POST", "/Users", user_payload("x@y.z")),
    ]:
        response = outsider_scim.request(method, path, body)
        assert response.status_code == 401, (method, path)

    assert snapshot() == before
