"""Which attribute paths a request carried (pure: no HTTP, no database)."""

from integrations.scim.received import MAX_PATHS, received_paths
from integrations.tests.conftest import fixture

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_okta_create_lists_paths_not_values():
    paths = received_paths(fixture("okta_create_user.json"))
    assert "name.givenName" in paths
    assert 'emails[type eq "work"].value' in paths
    assert f"{ENTERPRISE}:department" in paths
    assert "schemas" not in paths
    body = fixture("okta_create_user.json")
    assert not {str(v) for v in body.values() if isinstance(v, str)} & set(paths)


def test_patch_paths_as_sent_and_path_less_values_walked():
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": 'addresses[type eq "work"].country', "value": "NL"},
            {"op": "Replace", "path": f"{ENTERPRISE}:costCenter", "value": "CC-1"},
            {"op": "replace", "value": {"active": False, "name": {"familyName": "Reid"}}},
            {"op": "add", "path": ENTERPRISE, "value": {"division": "EMEA"}},
            {"op": "replace", "path": "name", "value": {"formatted": "Liam Reid"}},
        ],
    }
    assert received_paths(body) == sorted(
        [
            'addresses[type eq "work"].country',
            f"{ENTERPRISE}:costCenter",
            "active",
            "name.familyName",
            f"{ENTERPRISE}:division",
            "name.formatted",
        ]
    )


def test_custom_extension_attributes_are_named_under_their_urn():
    urn = "urn:ietf:params:scim:schemas:extension:engagedly:2.0:User"
    body = {"schemas": [urn], "userName": "a@x.example", urn: {"workLocation": "Remote", "badge": 7}}
    assert received_paths(body) == [f"{urn}:badge", f"{urn}:workLocation", "userName"]


def test_hostile_bodies_give_bounded_lists():
    assert received_paths(None) == [] and received_paths([1, 2]) == []
    assert received_paths({"Operations": "nope"}) == []
    assert received_paths({"schemas": 5, "userName": "x"}) == ["userName"]
    many = {f"attr{i}": i for i in range(1000)}
    assert len(received_paths(many)) == MAX_PATHS
    assert all(len(path) <= 200 for path in received_paths({"x" * 5000: 1}))
