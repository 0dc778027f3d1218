"""The audit trail: one test per recorded action, the org admins' page, CSV, Django admin."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from conftest import signed_in
from employees.models import Employee, Organization
from employees.tests.factories import EmployeeFactory
from integrations.models import Connection
from integrations.tests.settings_helpers import make_connection

TRAIL = reverse("audit:trail")


@pytest.fixture
def support(db):
    """A support account whose username is as opaque as the portal's own accounts' are."""
    return get_user_model().objects.create_superuser(
        "e-5f0c8e0a9b3d4c1e",
        "sam.support@portal.example",
        "pw-Support-123",
        first_name="Sam",
        last_name="Support",
    )


@pytest.fixture
def support_client(support):
    client = Client()
    client.force_login(support)
    return client


def only_event(**filters) -> AuditEvent:
    return AuditEvent.objects.get(**filters)


def organization_form(organization, *, provisioning_enabled: bool) -> dict:
    data = {
        "name": organization.name,
        "slug": organization.slug,
        "direct_reports_on_deactivation": organization.direct_reports_on_deactivation,
        "_save": "Save",
    }
    if provisioning_enabled:
        data["provisioning_enabled"] = "on"
    return data


def test_flag_toggle_in_django_admin_names_the_real_support_person(support_client, acme):
    change = reverse("admin:employees_organization_change", args=[acme.pk])
    assert support_client.post(change, organization_form(acme, provisioning_enabled=False)).status_code == 302
    event = only_event(action="provisioning.disabled")
    assert (event.organization, event.actor_name, event.actor_email) == (
        acme,
        "Sam Support",
        "sam.support@portal.example",
    )
    assert event.actor_kind == "support"
    assert (event.before, event.after) == ({"provisioning_enabled": True}, {"provisioning_enabled": False})
    # The organization's page in Django admin names the person, not the account's username.
    page = support_client.get(change).content.decode()
    assert "Sam Support &lt;sam.support@portal.example&gt;" in page
    assert "e-5f0c8e0a9b3d4c1e" not in page.lower().split("integration flag history")[1][:2000]


def test_flag_toggle_from_the_list_checkbox_is_recorded(support_client, acme, outsider_org):
    orgs = list(Organization.objects.order_by("name"))
    data = {"form-TOTAL_FORMS": str(len(orgs)), "form-INITIAL_FORMS": str(len(orgs)), "_save": "Save"}
    for i, org in enumerate(orgs):
        data[f"form-{i}-id"] = str(org.pk)
        if org.pk != acme.pk:
            data[f"form-{i}-provisioning_enabled"] = "on"
    assert support_client.post(reverse("admin:employees_organization_changelist"), data).status_code == 302
    assert list(AuditEvent.objects.values_list("organization__slug", "action")) == [
        ("acme", "provisioning.disabled")
    ]


def test_saving_the_organization_without_a_flag_change_records_nothing(support_client, acme):
    change = reverse("admin:employees_organization_change", args=[acme.pk])
    support_client.post(change, organization_form(acme, provisioning_enabled=True))
    assert not AuditEvent.objects.exists()


def test_connection_created(admin_client, acme, acme_admin):
    admin_client.post(reverse("integrations:connection-create"), {"name": "Okta production"})
    event = only_event(action="connection.created")
    assert (event.actor_name, event.actor_email, event.actor_kind) == (
        acme_admin.full_name,
        acme_admin.email,
        "admin",
    )
    assert event.after == {"name": "Okta production", "provider": "Okta"}
    assert event.target_id == str(Connection.objects.get().pk)


def test_token_issued(admin_client, acme, acme_admin):
    connection = make_connection(acme).connection
    admin_client.post(reverse("integrations:token-create", args=[connection.pk]))
    events = AuditEvent.objects.filter(action="token.issued", actor=acme_admin.user)
    newest = connection.tokens.order_by("-id").first()
    assert [event.target_id for event in events] == [str(newest.pk)]
    assert str(newest) in events.get().target_label


def test_token_revoked_in_the_portal(admin_client, acme, acme_admin):
    connection = make_connection(acme).connection
    token = connection.tokens.get()
    admin_client.post(reverse("integrations:token-revoke", args=[connection.pk, token.pk]))
    event = only_event(action="token.revoked")
    assert (event.actor_email, event.before, event.after) == (
        acme_admin.email,
        {"state": "live"},
        {"state": "revoked"},
    )
    admin_client.post(reverse("integrations:token-revoke", args=[connection.pk, token.pk]))
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1  # revoking again changes nothing


def test_token_revoked_by_support_in_django_admin(support_client, acme):
    token = make_connection(acme).connection.tokens.get()
    support_client.post(
        reverse("admin:integrations_connectiontoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    event = only_event(action="token.revoked")
    assert (event.actor_name, event.actor_kind, event.organization) == ("Sam Support", "support", acme)


def test_connection_deleted(admin_client, acme, acme_admin):
    connection = make_connection(acme).connection
    admin_client.post(reverse("integrations:connection-delete", args=[connection.pk]))
    event = only_event(action="connection.deleted")
    assert (event.actor_email, event.target_label) == (acme_admin.email, str(connection))


def test_organization_settings_changed(admin_client, acme):
    admin_client.post(
        reverse("settings:general"), {"name": "Acme Corp", "direct_reports_on_deactivation": "keep"}
    )
    event = only_event(action="organization.settings_changed")
    assert (event.before, event.after) == ({"name": "Acme"}, {"name": "Acme Corp"})


def test_employee_created_updated_deactivated_and_reactivated(admin_client, acme):
    form = {
        "first_name": "Nia",
        "last_name": "Park",
        "email": "nia.park@acme.example",
        "job_title": "Engineer",
        "department": "R&D",
    }
    assert admin_client.post(reverse("employees:add"), form).status_code == 302
    nia = Employee.objects.get(email="nia.park@acme.example")
    assert only_event(action="employee.created").after["email"] == "nia.park@acme.example"

    admin_client.post(reverse("employees:edit", args=[nia.pk]), {**form, "job_title": "Staff Engineer"})
    assert (only_event(action="employee.updated").before, only_event(action="employee.updated").after) == (
        {"job_title": "Engineer"},
        {"job_title": "Staff Engineer"},
    )
    admin_client.post(reverse("employees:status", args=[nia.pk]), {"action": "deactivate"})
    assert only_event(action="employee.deactivated").after == {"status": "deactivated"}
    admin_client.post(reverse("employees:status", args=[nia.pk]), {"action": "reactivate"})
    assert only_event(action="employee.reactivated").after == {"status": "active"}


def test_audit_record_shares_the_fate_of_the_change_it_records(acme, acme_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="token.issued", organization=acme, actor=acme_admin.user)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()


def test_other_features_record_their_own_actions(acme, acme_admin):
    from audit.actions import register

    register("brake.released", "Released held deactivations")
    event = audit_record(
        action="brake.released", organization=acme, actor=acme_admin.user, after={"released": 40}
    )
    assert event.action_label == "Released held deactivations"
    assert audit_record(action="sso.sign_in", organization=acme).action_label == "Sso: sign in"


def test_the_page_shows_this_organization_only_with_filters(admin_client, acme, acme_admin, outsider_org):
    audit_record(action="connection.created", organization=outsider_org, target_label="Globex secret")
    other = EmployeeFactory(organization=acme, first_name="Omar", last_name="Diaz", is_org_admin=True)
    audit_record(action="connection.created", organization=acme, actor=acme_admin.user, target_label="Okta A")
    audit_record(
        action="token.revoked", organization=acme, actor=other.user, target_label="engscim_abc… of “Okta A”"
    )

    body = admin_client.get(TRAIL).content.decode()
    assert "Okta A" in body and "Globex secret" not in body
    by_actor = admin_client.get(TRAIL, {"actor": "omar diaz"}).content.decode()
    assert "Revoked a token" in by_actor and "Created a connection" not in by_actor.split("<tbody>")[1]
    by_action = admin_client.get(TRAIL, {"action": "connection.created"}).content.decode()
    assert "Revoked a token" not in by_action.split("<tbody>")[1]
    bad = admin_client.get(TRAIL, {"date_from": "not-a-date"}).content.decode()
    assert "Enter a date as YYYY-MM-DD." in bad


def test_csv_export_streams_the_filtered_entries(admin_client, acme, acme_admin, outsider_org):
    audit_record(action="connection.created", organization=outsider_org, target_label="Globex secret")
    audit_record(
        action="organization.settings_changed",
        organization=acme,
        actor=acme_admin.user,
        before={"name": "Acme"},
        after={"name": "=cmd()"},
    )
    response = admin_client.get(reverse("audit:export"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time (UTC)", "who", "email", "role", "action", "target", "before", "after"]
    assert len(rows) == 2
    assert rows[1][1:5] == [
        acme_admin.full_name,
        acme_admin.email,
        "Organization admin",
        "Changed organization settings",
    ]
    assert rows[1][7] == '{"name": "=cmd()"}'


def test_only_org_admins_read_the_trail(client, acme, acme_employee):
    manager = EmployeeFactory(organization=acme, can_manage_integrations=True)
    for employee in (acme_employee, manager):
        signed_in(client, employee)
        assert client.get(TRAIL).status_code == 403
        assert client.get(reverse("audit:export")).status_code == 403


def test_support_staff_read_the_trail_in_django_admin_read_only(support_client, acme, acme_admin):
    event = audit_record(
        action="connection.created", organization=acme, actor=acme_admin.user, target_label="Okta A"
    )
    listing = support_client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert acme_admin.email in listing and "Created a connection" in listing
    assert support_client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert support_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403


def test_django_admin_history_names_the_person_who_toggled_the_flag(support_client, acme):
    change = reverse("admin:employees_organization_change", args=[acme.pk])
    support_client.post(change, organization_form(acme, provisioning_enabled=False))
    history = support_client.get(reverse("admin:employees_organization_history", args=[acme.pk]))
    body = history.content.decode()
    trail = body.split('id="audit-trail"')[1].split("</table>")[0]
    assert "Sam Support &lt;sam.support@portal.example&gt;" in trail
    assert "Turned the identity-provider integration off" in trail
    assert "e-5f0c8e0a9b3d4c1e" not in trail
