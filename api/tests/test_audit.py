"""The audit trail through the API: organization admins only, filtered, cursor-paged, and the
page's CSV export."""

import csv
import datetime
import io

from django.utils import timezone

from api.tests.conftest import ApiClient, issue_key
from audit.models import AuditEvent
from audit.services import audit_record
from employees.tests.factories import EmployeeFactory


def _on(event: AuditEvent, days_ago: int) -> AuditEvent:
    """Back-date an entry (they are stamped when recorded) to test the date range."""
    AuditEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return event


def _actions(api, query=""):
    response = api.get(f"audit/{query}")
    assert response.status_code == 200, response.content
    return [row["action"] for row in response.body["results"]]


def test_lists_this_organization_newest_first_with_filters(acme_api, acme, acme_admin, outsider_org):
    audit_record(action="connection.created", organization=outsider_org, target_label="Globex secret")
    omar = EmployeeFactory(organization=acme, first_name="Omar", last_name="Diaz", is_org_admin=True)
    _on(audit_record(action="connection.created", organization=acme, actor=acme_admin.user), 10)
    _on(audit_record(action="token.revoked", organization=acme, actor=omar.user), 3)
    audit_record(action="token.issued", organization=acme, actor=acme_admin.user, target_label="engscim_ab…")

    assert _actions(acme_api) == ["token.issued", "token.revoked", "connection.created"]
    assert _actions(acme_api, "?actor=omar diaz") == ["token.revoked"]
    assert _actions(acme_api, "?action=connection.created") == ["connection.created"]
    today = timezone.localdate()
    week_ago = (today - datetime.timedelta(days=7)).isoformat()
    assert _actions(acme_api, f"?date_from={week_ago}") == ["token.issued", "token.revoked"]
    two_days_ago = (today - datetime.timedelta(days=2)).isoformat()
    assert _actions(acme_api, f"?date_from={week_ago}&date_to={two_days_ago}") == ["token.revoked"]
    # An action this organization never had is still a valid filter: it matches nothing.
    assert _actions(acme_api, "?action=provisioning.enabled") == []


def test_an_entry_shows_who_did_what_to_which_target(acme_api, acme, acme_admin):
    audit_record(
        action="organization.settings_changed",
        organization=acme,
        actor=acme_admin.user,
        before={"name": "Acme"},
        after={"name": "Acme Inc"},
    )
    [row] = acme_api.get("audit/").body["results"]
    assert row["actor_name"] == acme_admin.full_name
    assert row["actor_email"] == acme_admin.email
    assert row["actor_kind"] == "admin"
    assert row["action_label"] == "Changed organization settings"
    assert (row["before"], row["after"]) == ({"name": "Acme"}, {"name": "Acme Inc"})


def test_what_the_api_does_is_in_the_trail_as_its_key_owner(acme_api, acme_admin, acme_setup):
    connection = acme_setup["connection"]
    before = len(acme_api.get("audit/?action=token.issued").body["results"])
    assert acme_api.post(f"connections/{connection.pk}/tokens/").status_code == 201
    rows = acme_api.get("audit/?action=token.issued").body["results"]
    assert len(rows) == before + 1
    assert rows[0]["actor_email"] == acme_admin.email


def test_bad_filters_are_400(acme_api, acme):
    for query in (
        "?action=no.such.action",
        "?date_from=yesterday",
        "?date_from=2026-02-01&date_to=2026-01-31",
    ):
        for path in ("audit/", "audit.csv"):
            response = acme_api.get(path + query)
            assert response.status_code == 400, (path, query)
            assert response["Content-Type"] == "application/json"
            assert response.body["code"] == "invalid"
    assert acme_api.get("audit/?date_from=2026-01-01&date_to=2026-01-01").status_code == 200


def test_only_organization_admins_read_the_trail(acme, acme_setup):
    """As on Settings > Audit trail: the integration permission alone is not enough."""
    holder = EmployeeFactory(organization=acme, can_manage_integrations=True)
    api = ApiClient(issue_key(holder))
    assert api.get("connections/").status_code == 200
    for path in ("audit/", "audit.csv"):
        response = api.get(path)
        assert response.status_code == 403
        assert response.body["detail"] == "Only organization admins can read the audit trail."


def test_pages_follow_the_cursor(acme_api, acme):
    for n in range(5):
        audit_record(action="token.issued", organization=acme, target_label=f"t{n}")
    first = acme_api.get("audit/?page_size=3").body
    second = acme_api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {acme_api.key}").json()
    labels = [r["target_label"] for r in first["results"] + second["results"]]
    assert labels == [f"t{n}" for n in reversed(range(5))]
    assert second["next"] is None


def test_csv_is_the_pages_export_filtered_and_streamed(acme_api, acme, acme_admin, outsider_org):
    audit_record(action="connection.created", organization=outsider_org, target_label="Globex secret")
    audit_record(action="token.revoked", organization=acme, actor=acme_admin.user, target_label="=cmd()")
    audit_record(
        action="organization.settings_changed", organization=acme, actor=acme_admin.user, after={"a": 1}
    )
    response = acme_api.get("audit.csv?action=token.revoked", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time (UTC)", "who", "email", "role", "action", "target", "before", "after"]
    assert len(rows) == 2
    assert rows[1][1:6] == [
        acme_admin.full_name,
        acme_admin.email,
        "Organization admin",
        "Revoked a token",
        "'=cmd()",
    ]
    everything = b"".join(acme_api.get("audit.csv").streaming_content).decode()
    assert everything.count("\n") == 3 and "Globex" not in everything
