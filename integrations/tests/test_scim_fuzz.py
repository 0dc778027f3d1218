"""Generated hostile requests against a live server: no 5xx, every answer SCIM JSON with the right
status, and a refused request changes nothing.

Hypothesis draws each request from what IdPs and attackers send: the real routes and made-up
ones, every method, query strings with odd filters and numbers past any integer type, bodies
that are valid SCIM, valid JSON of the wrong shape, or not JSON at all, strings with control
characters and other scripts, and headers (media types, If-Match) that do not fit. The database
is fingerprinted around every request that is refused.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations import services

from .conftest import user_payload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("SCIM_FUZZ_EXAMPLES", "3000"))
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

# Text as attackers write it: control characters (NUL included), other scripts' digits, quotes,
# filter syntax, and very long runs.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00\x01\x1f\x7f\u200b\ufeff\"'\\[]()"), max_size=10),
    st.sampled_from(["١٢", "１", "01", "-1", "1e9", "9" * 30, "", " ", "null", "a" * 3000]),
    st.builds(lambda name, host: f"{name}@{host}", st.text(max_size=12), st.text(max_size=12)),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, 10**30]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=12,
)
attribute_names = st.sampled_from(
    ["userName", "emails", "name", "active", "title", "externalId", "members", "displayName",
     "schemas", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "id", "meta"]
)  # fmt: skip


@st.composite
def user_bodies(draw):
    body = user_payload(f"fuzz{draw(st.integers(0, 10_000))}@example.com")
    for _ in range(draw(st.integers(0, 3))):
        body[draw(attribute_names)] = draw(json_values)
    return body


filters = st.one_of(
    hostile_text,
    st.builds(
        lambda attr, op, value: f"{attr} {op} {value}",
        st.sampled_from(["userName", "id", "meta.lastModified", 'emails[type eq "work"]', "active", "x"]),
        st.sampled_from(["eq", "ne", "co", "sw", "gt", "pr", "lt", "and", ""]),
        st.one_of(hostile_text.map(json.dumps), st.sampled_from(['"9999-99-99T99:99:99Z"', "true", "1"])),
    ),
    st.integers(1, 60).map(lambda depth: "(" * depth + 'userName eq "a"' + ")" * depth),
)
bodies = st.one_of(
    user_bodies(),
    st.builds(lambda ops: {"schemas": [PATCH], "Operations": ops}, st.lists(
        st.fixed_dictionaries({"op": st.sampled_from(["add", "Remove", "replace", "move", ""]),
                               "path": st.one_of(hostile_text, attribute_names),
                               "value": json_values}), max_size=3)),
    st.builds(lambda f, s, c: {"schemas": [SEARCH], "filter": f, "startIndex": s, "count": c},
              filters, numbers, numbers),
    st.builds(lambda name, members: {"schemas": [GROUP], "displayName": name, "members": members},
              hostile_text, st.lists(st.fixed_dictionaries({"value": hostile_text}), max_size=3)),
    json_values,
)  # fmt: skip


RESOURCES = ["Users", "Groups", "Users/.search", "Groups/.search", ".search", "Schemas", "ResourceTypes",
             "ServiceProviderConfig", "Bulk", "nope"]  # fmt: skip
MEDIA_TYPES = [
    "application/scim+json",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
]
# A header value is Latin-1 on the wire, without line breaks or NUL (RFC 9110 §5.5); the HTTP
# client refuses the rest before it is sent.
header_text = hostile_text.map(
    lambda text: text.encode("latin-1", "replace").decode("latin-1").translate({0: "?", 10: " ", 13: " "})
)


@st.composite
def requests(draw, user_id: str, group_id: str):
    resource = draw(st.sampled_from(RESOURCES))
    ident = draw(st.one_of(st.sampled_from([user_id, group_id, "", ".search"]), hostile_text))
    path = f"/{resource}" + (
        f"/{urllib.parse.quote(ident, safe='')}" if draw(st.booleans()) and ident else ""
    )
    query = {}
    if draw(st.booleans()):
        query["filter"] = draw(filters)
    for name in ("startIndex", "count"):
        if draw(st.booleans()):
            query[name] = str(draw(numbers))
    if draw(st.booleans()):
        query[draw(st.sampled_from(["attributes", "excludedAttributes", "sortBy", "sortOrder"]))] = draw(
            hostile_text
        )
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]))
    raw = draw(
        st.one_of(
            bodies.map(lambda body: json.dumps(body).encode()),
            st.binary(max_size=200),
            st.sampled_from([b"", b"{", b"[]", b'{"a":' * 200, b"\xff\xfe", b'"text"']),
        )
    )
    headers = {"Content-Type": draw(st.sampled_from(MEDIA_TYPES))}
    if draw(st.booleans()):
        headers["If-Match"] = draw(st.one_of(st.sampled_from(['W/"1"', "*", 'W/"999"']), header_text))
    return method, path, query, raw, headers


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(version), 0), MAX(updated_at) FROM employees_employee")
        employees = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(version), 0), MAX(updated_at) FROM employees_team")
        teams = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM employees_team_members")
        return employees, teams, cursor.fetchone()


def send(base: str, token: str, method: str, path: str, query: dict, raw: bytes, headers: dict):
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = raw if method in ("POST", "PUT", "PATCH") else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={**headers, "Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_generated_hostile_requests_get_scim_answers_and_change_nothing_when_refused(live_server, acme):
    created = services.connection_create(organization=acme, name="Fuzz")
    base = f"{live_server.url}/scim/v2/{created.connection.public_id}"
    token = created.plaintext_token
    seeded = send(base, token, "POST", "/Users", {}, json.dumps(user_payload("seed@example.com")).encode(),
                  {"Content-Type": "application/scim+json"})  # fmt: skip
    assert seeded[0] == 201
    user_id = json.loads(seeded[2])["id"]
    group = {"schemas": [GROUP], "displayName": "Fuzzers", "members": [{"value": user_id}]}
    group_id = json.loads(send(base, token, "POST", "/Groups", {}, json.dumps(group).encode(),
                               {"Content-Type": "application/scim+json"})[2])["id"]  # fmt: skip
    seen = {"requests": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(requests(user_id, group_id))
    def hostile(request):
        method, path, query, raw, headers = request
        before = fingerprint()
        status, content_type, body = send(base, token, method, path, query, raw, headers)
        seen["requests"] += 1
        # 501 is the answer of the endpoints this service does not offer (RFC 7644 §3.7, /Bulk).
        expected_501 = status == 501 and path.startswith("/Bulk")
        assert status < 500 or expected_501, (method, path, query, raw[:300], headers, body[:300])
        if method == "HEAD" or status == 204:
            return
        assert content_type.startswith("application/scim+json"), (
            method,
            path,
            status,
            content_type,
            body[:200],
        )
        document = json.loads(body)
        if status >= 400:
            seen["refused"] += 1
            assert document["schemas"] == [ERROR_SCHEMA] and document["status"] == str(status), document
            assert fingerprint() == before, (method, path, query, raw[:300], status, document)

    hostile()
    assert seen["requests"] >= EXAMPLES and seen["refused"] > EXAMPLES // 2, seen
