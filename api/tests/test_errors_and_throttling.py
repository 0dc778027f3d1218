"""One JSON error shape for everything the API answers, and DRF's throttling per key."""

import pytest

from api.tests.conftest import ApiClient, issue_key


@pytest.mark.parametrize(
    ("method", "path", "extra", "status", "code"),
    [
        ("GET", "no-such-thing/", {}, 404, "not_found"),
        ("GET", "/api/v1/", {}, 404, "not_found"),
        ("PUT", "connections/", {}, 405, "method_not_allowed"),
        ("DELETE", "employees/", {}, 405, "method_not_allowed"),
        (
            "POST",
            "connections/",
            {"data": "name=x", "content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            "connections/",
            {"data": "{not json", "content_type": "application/json"},
            400,
            "parse_error",
        ),
        ("GET", "employees/", {"HTTP_ACCEPT": "text/html"}, 406, "not_acceptable"),
    ],
)
def test_errors_share_one_json_shape(acme_api, method, path, extra, status, code):
    url = path if path.startswith("/") else f"/api/v1/{path}"
    response = getattr(acme_api.client, method.lower())(
        url, HTTP_AUTHORIZATION=f"Bearer {acme_api.key}", **extra
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "code", "detail"}
    assert (body["status"], body["code"]) == (status, code)
    assert body["detail"]


def test_an_unexpected_error_is_a_logged_json_500_without_details(acme_api, acme_setup, monkeypatch, caplog):
    from integrations import selectors

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "connection_overview_queryset", broken)
    acme_api.client.raise_request_exception = False
    response = acme_api.get("connections/")
    assert response.status_code == 500
    assert response.body == {
        "status": 500,
        "code": "server_error",
        "detail": "Something went wrong on our side.",
    }
    assert "secret internals" in caplog.text


def test_each_key_is_throttled_on_its_own_with_retry_after(acme_admin, acme_setup, settings):
    settings.API_RATE_LIMIT = "3/minute"
    first, second = ApiClient(issue_key(acme_admin, name="One")), ApiClient(issue_key(acme_admin, name="Two"))
    assert [first.get("employees/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("employees/")
    assert refused.status_code == 429
    assert refused.body["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another key (even the same owner's) has its own bucket.
    assert second.get("employees/").status_code == 200
