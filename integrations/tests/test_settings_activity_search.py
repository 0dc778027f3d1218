"""Activity you can work with: refused requests labelled by what they attempted (defect 5),
failed creates traceable to the person, search by person, a date range, the detail page and
the streamed CSV export."""

import csv
import datetime
import io

from django.urls import reverse

from conftest import signed_in
from employees.tests.factories import EmployeeFactory
from integrations.models import ScimRequest
from integrations.tests.conftest import ScimClient, user_payload
from integrations.tests.settings_helpers import record_request

DAY = datetime.timedelta(days=1)


def page(client, connection, **params):
    return client.get(reverse("integrations:connection", args=[connection.pk]), params).content.decode()


def activity_rows(body: str) -> str:
    return body.split("activity-table")[1].split("<tbody>")[1].split("</tbody>")[0]


def test_a_post_refused_at_authentication_is_labelled_create_not_lookup(client, scim):
    intruder = ScimClient(client, scim.connection, "engscim_not-a-real-token")
    assert intruder.post("/Users", user_payload()).status_code == 401
    assert intruder.put("/Users/1", user_payload()).status_code == 401
    assert intruder.delete("/Users/1").status_code == 401
    assert intruder.get("/Users").status_code == 401
    operations = list(ScimRequest.objects.order_by("id").values_list("method", "operation", "status_code"))
    assert operations == [
        ("POST", "create", 401),
        ("PUT", "update", 401),
        ("DELETE", "deactivate", 401),
        ("GET", "lookup", 401),
    ]


def test_refused_rows_say_unauthorized_in_words(admin_client, scim, client):
    ScimClient(client, scim.connection, "engscim_wrong").post("/Users", user_payload())
    body = page(admin_client, scim.connection)
    assert "401 Unauthorized" in body
    assert "Create" in body


def test_a_failed_create_can_be_traced_to_the_person(admin_client, scim, acme_admin):
    body = user_payload("zoe.failing@example.com")
    body["name"] = "not an object"  # invalid: the create is refused with 400
    assert scim.post("/Users", body).status_code == 400
    row = ScimRequest.objects.get(operation="create")
    assert row.employee is None
    assert row.subject == "z***@example.com"
    assert "zoe.failing" not in row.subject + row.path + row.subject_digest

    signed_in(admin_client, acme_admin)
    listing = page(admin_client, scim.connection)
    assert "z***@example.com" in listing
    # The full address, in any case, finds it; another address does not.
    found = page(admin_client, scim.connection, q="Zoe.Failing@example.com")
    assert "400 Bad Request" in found
    other = page(admin_client, scim.connection, q="someone.else@example.com")
    assert "No requests match these filters." in other


def test_search_by_name_or_email_of_the_linked_employee(admin_client, scim):
    assert scim.post("/Users", user_payload("ava.nguyen@example.com")).status_code == 201
    assert (
        scim.post("/Users", user_payload("ben.okafor@example.com", name={"givenName": "Ben"})).status_code
        == 201
    )
    by_name = page(admin_client, scim.connection, q="ava nguyen")
    assert "Ava Nguyen" in by_name and "Ben" not in activity_rows(by_name)
    by_email = page(admin_client, scim.connection, q="ben.okafor@")
    assert activity_rows(by_email).count("<tr>") == 1


def test_date_range_is_inclusive_and_a_bad_range_is_explained(admin_client, acme, scim):
    connection = scim.connection
    record_request(connection, ago=10 * DAY, path="/Users?old")
    record_request(connection, ago=3 * DAY, path="/Users?middle")
    record_request(connection, path="/Users?today")
    three_days_ago = (datetime.date.today() - 3 * DAY).isoformat()
    body = page(admin_client, connection, date_from=three_days_ago, date_to=three_days_ago)
    assert "?middle" in body and "?old" not in body and "?today" not in body

    bad = page(admin_client, connection, date_from="2026-02-30")
    assert "Enter a date as YYYY-MM-DD." in bad
    assert "?old" in bad  # an invalid filter is not applied
    reversed_range = page(admin_client, connection, date_from="2026-05-02", date_to="2026-05-01")
    assert "The end date is before the start date." in reversed_range


def test_detail_page_shows_everything_about_one_request(admin_client, scim):
    scim.post("/Users", user_payload())
    row = ScimRequest.objects.get(operation="create")
    response = admin_client.get(reverse("integrations:activity-detail", args=[scim.connection.pk, row.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Create",
        "POST",
        f"/scim/v2/{scim.connection.public_id}/Users",
        "201 Created",
        "Ava Nguyen",
        "ms",
    ):
        assert text in body, text
    assert str(row.token) in body


def test_detail_page_of_another_connections_request_is_404(admin_client, scim, outsider_scim):
    outsider_scim.get("/Users")
    foreign = ScimRequest.objects.get(connection=outsider_scim.connection)
    url = reverse("integrations:activity-detail", args=[scim.connection.pk, foreign.pk])
    assert admin_client.get(url).status_code == 404


def test_csv_export_streams_the_filtered_rows(admin_client, scim):
    connection = scim.connection
    scim.post("/Users", user_payload())
    record_request(connection, status_code=500, detail='=HYPERLINK("http://evil")', path="/Users/9")
    response = admin_client.get(
        reverse("integrations:activity-export", args=[connection.pk]), {"outcome": "server_error"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["time (UTC)", "operation", "method", "path"]
    assert len(rows) == 2
    assert rows[1][4] == "500"
    assert rows[1][9].startswith("'=")  # a spreadsheet does not run it as a formula


def test_csv_export_of_everything_includes_the_employee(admin_client, scim):
    scim.post("/Users", user_payload())
    response = admin_client.get(reverse("integrations:activity-export", args=[scim.connection.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "Create" and rows[1][6] == "Ava Nguyen" and rows[1][7] == "ava.nguyen@example.com"


def test_long_paths_are_wrapped_in_the_table_not_cut_to_one_line(admin_client, scim):
    long_filter = '/Users?filter=userName eq "' + "x" * 90 + '@example.com"'
    record_request(scim.connection, path=long_filter)
    body = page(admin_client, scim.connection)
    assert 'class="table cards activity-table"' in body
    assert 'data-label="Status" class="status-cell"' in body


def test_search_needs_no_employee_of_another_organization(admin_client, scim, outsider_org):
    EmployeeFactory(organization=outsider_org, first_name="Ava", last_name="Elsewhere")
    scim.get("/Users")
    assert "No requests match these filters." in page(admin_client, scim.connection, q="Elsewhere")


def test_okta_create_lookup_is_found_by_the_address_it_looked_for(admin_client, scim):
    scim.get('/Users?filter=userName eq "Nina.Lookup@example.com"&startIndex=1&count=100')
    row = ScimRequest.objects.get()
    assert row.subject == "N***@example.com"
    assert "Lookup" in activity_rows(page(admin_client, scim.connection, q="nina.lookup@example.com"))
