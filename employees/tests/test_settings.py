"""Settings > General: an organization admin edits their own organization's name and policy."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees.models import Organization
from employees.tests.factories import EmployeeFactory

GENERAL = "/settings/general/"
REASSIGN = Organization.DirectReportsPolicy.REASSIGN


@pytest.fixture
def integrations_user(acme):
    return EmployeeFactory(organization=acme, email="it@acme.example", can_manage_integrations=True)


def test_admin_lands_on_general_and_saves_name_and_policy(admin_client, acme, outsider_org):
    assert reverse("settings:general") == GENERAL
    assert admin_client.get(reverse("settings:index")).url == GENERAL
    page = admin_client.get(GENERAL)
    assert page.status_code == 200
    assert b'aria-current="page" href="/settings/general/">General</a>' in page.content
    assert b'href="/settings/integrations/">Integrations</a>' in page.content

    response = admin_client.post(
        GENERAL, {"name": "  Acme Corp  ", "direct_reports_on_deactivation": REASSIGN}
    )
    assert response.status_code == 302 and response.url == GENERAL
    acme.refresh_from_db()
    outsider_org.refresh_from_db()
    assert (acme.name, acme.direct_reports_on_deactivation) == ("Acme Corp", REASSIGN)
    assert (outsider_org.name, outsider_org.direct_reports_on_deactivation) == ("Globex", "keep")
    assert b"Organization settings saved." in admin_client.get(GENERAL).content


def test_outsider_admin_edits_only_their_own_organization(client, acme, outsider_admin):
    signed_in(client, outsider_admin).post(
        GENERAL, {"name": "Taken over", "direct_reports_on_deactivation": REASSIGN}
    )
    acme.refresh_from_db()
    assert (acme.name, acme.direct_reports_on_deactivation) == ("Acme", "keep")
    assert Organization.objects.get(pk=outsider_admin.organization_id).name == "Taken over"


def test_plain_employee_gets_403_and_no_settings_link(client, acme, acme_employee):
    signed_in(client, acme_employee)
    assert client.get(GENERAL).status_code == 403
    assert client.post(GENERAL, {"name": "X", "direct_reports_on_deactivation": REASSIGN}).status_code == 403
    assert client.get(reverse("settings:index")).status_code == 403
    assert b">Settings</a>" not in client.get(reverse("employees:directory")).content
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_integrations_only_user_sees_no_general_tab_and_gets_403(client, acme, integrations_user):
    signed_in(client, integrations_user)
    assert client.get(reverse("settings:index")).url == reverse("integrations:index")
    page = client.get(reverse("integrations:index"))
    assert b">Integrations</a>" in page.content and b">General</a>" not in page.content
    assert client.get(GENERAL).status_code == 403
    assert client.post(GENERAL, {"name": "X", "direct_reports_on_deactivation": REASSIGN}).status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_signed_out_visitor_is_sent_to_sign_in(client, acme):
    response = client.get(GENERAL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "direct_reports_on_deactivation": REASSIGN}, "name", "This field is required."),
        ({"name": "   ", "direct_reports_on_deactivation": REASSIGN}, "name", "This field is required."),
        ({"name": "A" * 201, "direct_reports_on_deactivation": REASSIGN}, "name", "at most 200 characters"),
        (
            {"name": "Acme Corp", "direct_reports_on_deactivation": "delete"},
            "direct_reports_on_deactivation",
            "valid choice",
        ),
        ({"name": "Acme Corp"}, "direct_reports_on_deactivation", "This field is required."),
    ],
)
def test_bad_input_shows_inline_errors_and_changes_nothing(admin_client, acme, data, field, message):
    response = admin_client.post(GENERAL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert b'class="errorlist' in response.content
    # The header still shows the stored name, not the rejected one.
    assert b"Manage Acme\xe2\x80\x99s details" in response.content
    acme.refresh_from_db()
    assert (acme.name, acme.direct_reports_on_deactivation) == ("Acme", "keep")


def test_name_of_200_characters_is_accepted(admin_client, acme):
    admin_client.post(GENERAL, {"name": "A" * 200, "direct_reports_on_deactivation": "keep"})
    acme.refresh_from_db()
    assert acme.name == "A" * 200


def test_post_without_csrf_token_is_refused(acme, acme_admin):
    client = signed_in(Client(enforce_csrf_checks=True), acme_admin)
    page = client.get(GENERAL)
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post(GENERAL, {"name": "Forged", "direct_reports_on_deactivation": REASSIGN})
    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_saved_policy_is_what_deactivation_applies(admin_client, acme):
    from employees import services

    boss = EmployeeFactory(organization=acme, email="boss@acme.example")
    lead = EmployeeFactory(organization=acme, email="lead@acme.example")
    report = EmployeeFactory(organization=acme, email="report@acme.example")
    services.employee_set_manager(employee=lead, manager=boss)
    services.employee_set_manager(employee=report, manager=lead)
    admin_client.post(GENERAL, {"name": "Acme", "direct_reports_on_deactivation": REASSIGN})
    services.employee_deactivate(employee=lead, reason="test")
    # What the background task runs; the worker itself is covered in test_tasks.py.
    services.employee_apply_deactivation(employee_id=lead.pk)
    report.refresh_from_db()
    assert report.manager_id == boss.pk
