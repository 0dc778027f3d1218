"""Activity: filters, cursor pages that hold while records arrive, and the CSV stream."""

import csv
import datetime
import io
from urllib.parse import urlencode

from integrations.tests.settings_helpers import record_request


def _rows(api, path):
    response = api.get(path)
    assert response.status_code == 200, response.content
    return response.body


def test_filters_by_outcome_operation_and_time(acme_api, acme_setup):
    connection = acme_setup["connection"]
    record_request(connection, status_code=409, operation="create", ago=datetime.timedelta(hours=2))
    record_request(connection, status_code=500, operation="update", ago=datetime.timedelta(days=2))
    base = f"connections/{connection.pk}/activity/"
    assert [r["status_code"] for r in _rows(acme_api, base)["results"]] == [201, 409, 500]
    assert [r["status_code"] for r in _rows(acme_api, base + "?outcome=client_error")["results"]] == [409]
    assert [r["status_code"] for r in _rows(acme_api, base + "?operation=update")["results"]] == [500]
    since = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).isoformat()
    assert len(_rows(acme_api, base + "?" + urlencode({"since": since}))["results"]) == 2


def test_a_bad_filter_is_a_400_not_ignored(acme_api, acme_setup):
    base = f"connections/{acme_setup['connection'].pk}/activity/"
    for query in ("?outcome=nope", "?since=yesterday", "?operation=drop"):
        response = acme_api.get(base + query)
        assert response.status_code == 400, query
        assert response.body["code"] == "invalid"


def test_cursor_pages_do_not_repeat_or_skip_when_new_records_arrive(acme_api, acme_setup):
    connection = acme_setup["connection"]
    for minutes in range(1, 6):
        record_request(connection, ago=datetime.timedelta(minutes=minutes))
    first = _rows(acme_api, f"connections/{connection.pk}/activity/?page_size=4")
    assert len(first["results"]) == 4
    record_request(connection)  # newer than everything: must not shift the next page
    second = acme_api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {acme_api.key}").json()
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(ids) == len(set(ids)) == 6
    assert second["next"] is None


def test_csv_streams_every_matching_row_with_formulas_defused(acme_api, acme_setup):
    connection = acme_setup["connection"]
    record_request(connection, status_code=400, detail='=HYPERLINK("http://evil")', ago=datetime.timedelta(1))
    response = acme_api.get(f"connections/{connection.pk}/activity.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["status_code"] for r in rows] == ["201", "400"]
    assert rows[1]["detail"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["path"] == f"/scim/v2/{connection.public_id}/Users"


def test_csv_filters_and_errors_answer_json(acme_api, outsider_api, acme_setup):
    connection = acme_setup["connection"]
    record_request(connection, status_code=500)
    response = acme_api.get(f"connections/{connection.pk}/activity.csv?outcome=server_error")
    body = b"".join(response.streaming_content).decode()
    assert body.count("\n") == 2  # the header and the one server error
    bad = acme_api.get(f"connections/{connection.pk}/activity.csv?outcome=x", HTTP_ACCEPT="text/csv")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert outsider_api.get(f"connections/{connection.pk}/activity.csv").status_code == 404
