"""Auth, errors, media types, limits, versions and the activity record."""

import pytest
from django.core.cache import cache

from employees.models import Employee
from engagedly_portal.content_security import API_POLICY
from integrations import services
from integrations.models import ScimRequest

from .conftest import user_payload


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", ""])
def test_bearer_and_bare_token_are_accepted(scim, prefix):
    scim.auth = f"{prefix}{scim.token}"

    assert scim.get("/Users").status_code == 200


@pytest.mark.parametrize("auth", [None, "Basic dXNlcjpwdw==", "Bearer ", "Bearer engscim_nope"])
def test_anything_else_is_401_with_a_challenge(scim, auth):
    scim.auth = auth

    response = scim.get("/Users")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'


def test_token_only_works_with_its_own_base_url(scim, client, acme):
    other = services.connection_create(organization=acme, name="Second")
    scim.base = f"/scim/v2/{other.connection.public_id}"

    assert scim.get("/Users").status_code == 401


def test_okta_flag_off_is_403(scim, acme):
    acme.provisioning_enabled = False
    acme.save()

    response = scim.get("/Users")

    assert response.status_code == 403
    assert "support" in response.body["detail"]


def test_deleted_connection_and_revoked_token_are_401_at_once(scim):
    assert scim.get("/Users").status_code == 200
    services.connection_delete(connection=scim.connection)

    assert scim.get("/Users").status_code == 401
    assert ScimRequest.objects.filter(connection=scim.connection, status_code=401).exists()


@pytest.mark.parametrize("path", ["/Users/", "/ServiceProviderConfig/", "/Schemas", "/ResourceTypes/"])
def test_paths_work_with_and_without_trailing_slash(scim, path):
    assert scim.get(path).status_code == 200
    assert scim.get(path.rstrip("/")).status_code == 200


@pytest.mark.parametrize("path", ["/Nope", "/Users/1/extra", "/", ""])
def test_unknown_routes_are_scim_404(scim, path):
    response = scim.get(path)

    assert response.status_code == 404
    assert response.body["status"] == "404"


def test_unknown_connection_is_401_and_bare_prefix_is_404_without_record(client, db):
    unknown = client.get("/scim/v2/doesnotexist/Users")
    bare = client.get("/scim/v2/")

    assert (unknown.status_code, bare.status_code) == (401, 404)
    assert bare["Content-Type"] == unknown["Content-Type"] == "application/scim+json"
    assert not ScimRequest.objects.exists()  # no connection to record them against


@pytest.mark.parametrize("endpoint", ["/Me", "/Bulk"])
def test_optional_endpoints_answer_501(scim, endpoint):
    assert scim.get(endpoint).status_code == 501


def test_unsupported_method_is_405(scim):
    response = scim.post("/ServiceProviderConfig", {"x": 1})

    assert (response.status_code, response.body["status"]) == (405, "405")


def test_options_is_a_scim_405_and_head_answers_as_get(scim, client):
    url = f"{scim.base}/Users"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {scim.token}"}

    options = client.options(url, **auth)
    head = client.head(url, **auth)

    assert (options.status_code, options["Content-Type"]) == (405, "application/scim+json")
    assert (head.status_code, head["Content-Type"]) == (200, "application/scim+json")


def test_body_over_one_mebibyte_is_413_and_changes_nothing(scim):
    body = user_payload()
    body["title"] = "x" * (1024 * 1024)

    assert scim.post("/Users", body).status_code == 413
    assert not Employee.objects.exists()


def test_other_media_types_are_415(scim):
    response = scim.post("/Users", user_payload(), content_type="text/plain")

    assert response.status_code == 415


def test_plain_json_is_accepted(scim):
    assert scim.post("/Users", user_payload(), content_type="application/json").status_code == 201


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", {"userName": 5}, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}],
)
def test_malformed_bodies_are_400(scim, body):
    response = scim.post("/Users", body)

    assert response.status_code == 400, response.body
    assert not Employee.objects.exists()


@pytest.mark.parametrize(
    "expression",
    ["userName eq", 'shoeSize eq "x"', 'userName zz "x"', "active gt true", "urn:x:y:z:attr eq 1"],
)
def test_invalid_filter_is_400_invalid_filter(scim, expression):
    response = scim.get(f"/Users?filter={expression}")

    assert (response.status_code, response.body["scimType"]) == (400, "invalidFilter")


def test_unexpected_errors_are_a_generic_500_and_logged(scim, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("integrations.scim.backend.user_list", broken)

    response = scim.get("/Users")

    assert response.status_code == 500
    assert "secret" not in response.body["detail"]
    assert "secret internals" in caplog.text


def test_if_match_mismatch_is_412_and_changes_nothing(scim):
    user = scim.post("/Users", user_payload()).body
    assert user["meta"]["version"] == 'W/"1"'

    stale = scim.put(f"/Users/{user['id']}", {**user, "title": "X"}, headers={"If-Match": 'W/"0"'})
    fresh = scim.put(f"/Users/{user['id']}", {**user, "title": "Y"}, headers={"If-Match": 'W/"1"'})

    assert stale.status_code == 412
    assert (fresh.status_code, fresh["ETag"], fresh.body["title"]) == (200, 'W/"2"', "Y")


def test_rate_limit_answers_429_with_integer_retry_after(scim, settings):
    settings.SCIM_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()

    statuses = [scim.get("/Users").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = scim.get("/Users")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert ScimRequest.objects.filter(status_code=429).count() == 2


def test_attributes_and_excluded_attributes(scim):
    user = scim.post("/Users", user_payload()).body

    only = scim.get(f"/Users/{user['id']}?attributes=userName").body
    without = scim.get("/Users?excludedAttributes=name,emails").body["Resources"][0]

    assert set(only) == {"schemas", "id", "userName"}
    assert "name" not in without and "emails" not in without and without["userName"]


def test_query_parameters_are_read_as_django_reads_them(scim):
    assert scim.post("/Users", {**user_payload("zoe@example.com"), "userName": "zoé"}).status_code == 201
    scim.post("/Users", user_payload("amy@example.com"))

    assert scim.get("/Users?count=5&count=1").body["itemsPerPage"] == 1  # the last value counts
    raw = scim.get('/Users?filter=userName eq "ZOÉ"').body
    encoded = scim.get("/Users?filter=userName%20eq%20%22zo%C3%A9%22").body
    assert raw["totalResults"] == encoded["totalResults"] == 1
    assert raw["Resources"][0]["userName"] == "zoé"
    # An escaped byte that is not UTF-8 reads as U+FFFD, as Django reads it: no match, no error.
    assert scim.get("/Users?filter=userName%20eq%20%22zo%E9%22").body["totalResults"] == 0


def test_too_many_query_parameters_is_a_scim_400(scim, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    before = ScimRequest.objects.count()

    response = scim.get("/Users?" + "&".join(f"p{i}=1" for i in range(6)))

    assert response.status_code == 400
    assert response.body["scimType"] == "invalidSyntax"
    assert response.body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert ScimRequest.objects.count() == before + 1  # recorded as a client error
    assert scim.get("/Users?" + "&".join(f"p{i}=1" for i in range(5))).status_code == 200


def test_locations_follow_each_request_host_and_scheme_and_refuse_other_hosts(scim, settings):
    settings.ALLOWED_HOSTS = ["hr.example.com", "testserver"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    created = scim.post("/Users", user_payload())
    path = f"/scim/v2/{scim.connection.public_id}/Users/{created.body['id']}"
    assert created["Location"] == f"http://testserver{path}"

    for _ in range(2):  # the second time from what the first one learned
        behind_proxy = scim.get(path, headers={"Host": "hr.example.com", "X-Forwarded-Proto": "https"})
        assert behind_proxy.body["meta"]["location"] == f"https://hr.example.com{path}"
        plain = scim.get(path, headers={"Host": "hr.example.com"})
        assert plain.body["meta"]["location"] == f"http://hr.example.com{path}"

    settings.ALLOWED_HOSTS = ["testserver"]  # a host allowed before is refused once it is not
    assert scim.client.get(path, HTTP_HOST="hr.example.com", HTTP_AUTHORIZATION=scim.auth).status_code == 400
    settings.PUBLIC_BASE_URL = "https://people.example.com"
    assert scim.get(path).body["meta"]["location"] == f"https://people.example.com{path}"


def test_filters_and_sorting_run_in_the_database(scim):
    for name, title in [("zoe@example.com", "CTO"), ("amy@example.com", "CEO"), ("bob@other.org", "")]:
        scim.post("/Users", {**user_payload(name), "title": title})

    def ids(query):
        return [r["userName"] for r in scim.get(f"/Users?{query}").body["Resources"]]

    assert ids('filter=title sw "c" and not (userName ew "org")&sortBy=userName') == [
        "amy@example.com",
        "zoe@example.com",
    ]
    assert ids('filter=emails[type eq "work" and value co "OTHER"]') == ["bob@other.org"]
    assert ids('filter=title pr or userName eq "BOB@other.org"&sortBy=userName&sortOrder=descending') == [
        "zoe@example.com",
        "bob@other.org",
        "amy@example.com",
    ]
    assert scim.get("/Users?count=0").body["totalResults"] == 3


def test_activity_record_masks_emails_and_keeps_no_body(scim):
    user = scim.post("/Users", user_payload("ava.nguyen@example.com")).body
    scim.get('/Users?filter=userName eq "ava.nguyen@example.com"')
    scim.post("/Users", user_payload("ava.nguyen@example.com"))
    scim.patch(
        f"/Users/{user['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    scim.get("/ServiceProviderConfig")

    records = list(ScimRequest.objects.order_by("pk"))

    assert [(r.method, r.status_code, r.operation, r.outcome) for r in records] == [
        ("POST", 201, "create", "success"),
        ("GET", 200, "lookup", "success"),
        ("POST", 409, "create", "client_error"),
        ("PATCH", 200, "deactivate", "success"),
        ("GET", 200, "discovery", "success"),
    ]
    assert records[0].employee_id == int(user["id"]) and records[0].resource_id == user["id"]
    assert records[1].path.endswith('filter=userName eq "a***@example.com"')
    assert records[2].detail == "A user with userName a***@example.com already exists."
    assert all("ava.nguyen" not in r.path + r.detail for r in records)
    assert all(r.token_id == records[0].token_id and r.duration_ms >= 0 for r in records)


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "x" * 201},
        {"userName": "a" * 250 + "@example.com"},
        {"emails": [{"value": "not an email", "type": "work", "primary": True}]},
        {"name": {"givenName": "x" * 151, "familyName": "Nguyen"}},
    ],
)
def test_values_the_employee_cannot_hold_are_400_and_write_nothing(scim, overrides):
    response = scim.post("/Users", user_payload(**overrides))

    assert (response.status_code, response.body["scimType"]) == (400, "invalidValue"), response.body
    assert not Employee.objects.exists()


@pytest.mark.parametrize("email", ["not an email", "ava@", "@example.com", "ava nguyen@example.com"])
def test_an_invalid_email_in_a_replacement_is_400_and_changes_nothing(scim, email):
    created = scim.post("/Users", user_payload()).body
    body = {**created, "emails": [{"value": email, "type": "work"}]}

    response = scim.put(f"/Users/{created['id']}", body)

    assert (response.status_code, response.body["scimType"]) == (400, "invalidValue"), response.body
    assert Employee.objects.get(pk=created["id"]).email == "ava.nguyen@example.com"


def test_scim_answers_carry_the_api_policy_and_pages_the_pages_policy(scim, client):
    listed, refused = scim.get("/Users"), scim.get("/Users/0")
    page = client.get("/login/")

    assert (listed.status_code, refused.status_code, page.status_code) == (200, 404, 200)
    assert listed["Content-Security-Policy"] == refused["Content-Security-Policy"] == API_POLICY
    assert "script-src 'self'" in page["Content-Security-Policy"]
