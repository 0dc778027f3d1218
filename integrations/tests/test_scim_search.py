"""Searching with POST (RFC 7644 §3.4.3): /Users/.search, /Groups/.search and the root /.search."""

import pytest

from integrations.tests.conftest import fixture, user_payload

pytestmark = pytest.mark.django_db

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def search(**fields):
    return {"schemas": [SEARCH], **fields}


@pytest.fixture
def people(scim):
    names = ["cy@example.com", "ava@example.com", "bo@example.com"]
    return [scim.post("/Users", user_payload(name)).body for name in names]


@pytest.fixture
def teams(scim, people):
    bodies = [
        {
            **fixture("okta_group_push_create.json"),
            "displayName": name,
            "members": [{"value": people[0]["id"]}],
        }
        for name in ("Design", "Admins")
    ]
    return [scim.post("/Groups", body).body for body in bodies]


def ids(body):
    return [resource["id"] for resource in body["Resources"]]


def test_users_search_filters_sorts_and_pages_like_the_query_string(scim, people):
    body = scim.post(
        "/Users/.search",
        search(filter='userName ew "@example.com"', sortBy="userName", startIndex=2, count=1),
    ).body

    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 2, 1)
    assert body["Resources"][0]["userName"] == "bo@example.com"
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]


def test_users_search_descending_with_attributes(scim, people):
    body = scim.post(
        "/Users/.search", search(sortBy="userName", sortOrder="descending", attributes=["userName"])
    ).body

    assert [r["userName"] for r in body["Resources"]] == [
        "cy@example.com",
        "bo@example.com",
        "ava@example.com",
    ]
    assert "name" not in body["Resources"][0] and "emails" not in body["Resources"][0]


def test_users_search_excluded_attributes(scim, people):
    body = scim.post("/Users/.search", search(excludedAttributes=["emails"], count=1)).body

    assert "emails" not in body["Resources"][0] and body["Resources"][0]["userName"]


def test_groups_search_filters_on_members(scim, teams, people):
    body = scim.post("/Groups/.search", search(filter=f'members.value eq "{people[0]["id"]}"')).body

    assert sorted(r["displayName"] for r in body["Resources"]) == ["Admins", "Design"]
    assert scim.post("/Groups/.search", search(filter='displayName eq "design"')).body["totalResults"] == 1


def test_root_search_lists_users_then_groups(scim, people, teams):
    body = scim.post("/.search", search()).body

    assert body["totalResults"] == 5 and body["itemsPerPage"] == 5
    assert [r["meta"]["resourceType"] for r in body["Resources"]] == ["User"] * 3 + ["Group"] * 2
    assert ids(body) == [p["id"] for p in people] + [t["id"] for t in teams]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_root_search_pages_across_both_types_in_a_stable_order(scim, people, teams, count):
    everything = ids(scim.post("/.search", search()).body)
    seen = []
    for start in range(1, 6, count):
        page = scim.post("/.search", search(startIndex=start, count=count)).body
        assert (page["totalResults"], page["startIndex"]) == (5, start)
        assert page["itemsPerPage"] == len(page["Resources"]) == min(count, 5 - start + 1)
        seen += ids(page)
    assert seen == everything


def test_root_search_past_the_end_and_count_zero(scim, people, teams):
    past = scim.post("/.search", search(startIndex=9, count=2)).body
    none = scim.post("/.search", search(count=0)).body

    assert (past["totalResults"], past["itemsPerPage"], past["Resources"]) == (5, 0, [])
    assert (none["totalResults"], none["itemsPerPage"]) == (5, 0)


def test_root_search_filter_on_an_attribute_of_one_type_matches_only_that_type(scim, people, teams):
    users = scim.post("/.search", search(filter='userName eq "AVA@example.com"')).body
    groups = scim.post("/.search", search(filter='displayName eq "Admins"')).body
    either = scim.post(
        "/.search", search(filter='userName eq "ava@example.com" or displayName eq "Admins"')
    ).body

    assert users["totalResults"] == 1 and users["Resources"][0]["userName"] == "ava@example.com"
    assert groups["totalResults"] == 1 and groups["Resources"][0]["displayName"] == "Admins"
    assert sorted(r["meta"]["resourceType"] for r in either["Resources"]) == ["Group", "User"]


def test_root_search_filter_on_a_shared_attribute_matches_both_types(scim, people, teams):
    body = scim.post("/.search", search(filter="meta.created pr", sortBy="meta.created")).body

    assert body["totalResults"] == 5


def test_root_search_sorts_within_each_type(scim, people, teams):
    body = scim.post("/.search", search(sortBy="displayName")).body

    assert [r["meta"]["resourceType"] for r in body["Resources"]] == ["User"] * 3 + ["Group"] * 2
    assert [r["displayName"] for r in body["Resources"][3:]] == ["Admins", "Design"]


def test_root_search_with_attributes_per_type(scim, people, teams):
    body = scim.post("/.search", search(attributes=["userName", "displayName"])).body

    user, group = body["Resources"][0], body["Resources"][3]
    assert user["userName"] and "emails" not in user
    assert group["displayName"] == "Design" and "members" not in group


@pytest.mark.parametrize("path", ["/.search", "/Users/.search", "/Groups/.search"])
@pytest.mark.parametrize(
    "body",
    [
        search(filter='userName eq "x" and ('),
        search(filter='nosuchattribute eq "x"'),
        search(filter="active eq 3"),
    ],
)
def test_invalid_filter_is_400_invalid_filter(scim, people, path, body):
    if path == "/Groups/.search" and "active" in body["filter"]:
        body = search(filter="displayName gt 3")
    response = scim.post(path, body)

    assert (response.status_code, response.body["scimType"]) == (400, "invalidFilter")


@pytest.mark.parametrize("path", ["/.search", "/Users/.search", "/Groups/.search"])
@pytest.mark.parametrize(
    "body",
    [
        {"filter": 'userName eq "x"'},
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]},
        {"schemas": SEARCH},
    ],
)
def test_search_without_the_search_request_schema_is_400(scim, path, body):
    response = scim.post(path, body)

    assert (response.status_code, response.body["scimType"]) == (400, "invalidSyntax")


@pytest.mark.parametrize(
    "body",
    [search(sortOrder="sideways"), search(startIndex="one"), search(count=[2]), search(filter=3)],
)
def test_malformed_search_fields_are_400(scim, body):
    assert scim.post("/Users/.search", body).status_code == 400


def test_search_is_post_only(scim):
    assert scim.get("/Users/.search").status_code == 405
    assert scim.get("/.search").status_code == 405


def test_search_paths_accept_a_trailing_slash(scim, people):
    assert scim.post("/Users/.search/", search()).body["totalResults"] == 3
    assert scim.post("/.search/", search()).body["totalResults"] == 3


def test_search_is_scoped_to_the_token_organization(scim, people, outsider_scim):
    outsider_scim.post("/Users", user_payload("zed@outsider.example"))

    assert scim.post("/.search", search()).body["totalResults"] == 3
    assert outsider_scim.post("/.search", search()).body["totalResults"] == 1


def test_service_provider_config_advertises_filter_and_sort_for_search(scim, settings):
    config = scim.get("/ServiceProviderConfig").body

    assert config["filter"] == {"supported": True, "maxResults": settings.SCIM_MAX_PAGE_SIZE}
    assert config["sort"] == {"supported": True} and config["bulk"]["supported"] is False


def test_search_count_is_capped_at_max_results(scim, people, settings):
    settings.SCIM_MAX_PAGE_SIZE = 2

    body = scim.post("/.search", search(count=50)).body

    assert (body["itemsPerPage"], body["totalResults"]) == (2, 3)
