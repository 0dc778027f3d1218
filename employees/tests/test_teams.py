from django.urls import reverse

from conftest import signed_in
from employees import services
from employees.models import Team
from employees.tests.factories import EmployeeFactory
from integrations import services as integration_services


def _team(organization, name="Platform", members=()):
    return services.team_create(organization=organization, name=name, member_ids=[m.pk for m in members])


def test_teams_page_lists_teams_with_counts_and_source(admin_client, acme, acme_admin):
    pushed = _team(acme, "Okta Engineers", [acme_admin])
    connection = integration_services.connection_create(organization=acme, name="Okta prod").connection
    integration_services.team_provisioned_by(team=pushed, connection=connection)
    _team(acme, "Book club")
    body = admin_client.get(reverse("employees:teams")).content.decode()
    assert "Okta Engineers" in body and "Managed by Okta prod" in body
    assert "Book club" in body and "Made in the portal" in body


def test_admin_creates_a_team_and_adds_and_removes_members(admin_client, acme):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    response = admin_client.post(reverse("employees:team-add"), {"name": "  Design  "})
    team = Team.objects.get(organization=acme)
    assert response.status_code == 302 and team.name == "Design"
    members_url = reverse("employees:team-members", args=[team.pk])
    admin_client.post(members_url, {"email": "AVA@acme.example"})
    assert list(team.members.all()) == [ava]
    team.refresh_from_db()
    version = team.version
    admin_client.post(members_url, {"remove": str(ava.pk)})
    team.refresh_from_db()
    assert not team.members.exists() and team.version == version + 1


def test_unknown_or_outside_email_is_a_form_error(admin_client, acme, outsider_admin):
    team = _team(acme)
    url = reverse("employees:team-members", args=[team.pk])
    response = admin_client.post(url, {"email": outsider_admin.email})
    assert response.status_code == 400
    assert "No employee with this email in this organization." in response.content.decode()
    assert not team.members.exists()


def test_blank_team_name_is_a_form_error(admin_client, acme):
    response = admin_client.post(reverse("employees:team-add"), {"name": "   "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Team.objects.exists()


def test_provisioned_team_is_read_only_in_the_portal(admin_client, acme, acme_admin):
    team = _team(acme, "Pushed", [acme_admin])
    connection = integration_services.connection_create(organization=acme, name="Okta").connection
    integration_services.team_provisioned_by(team=team, connection=connection)
    body = admin_client.get(reverse("employees:team", args=[team.pk])).content.decode()
    assert "Managed by Okta" in body and "Add a member" not in body
    url = reverse("employees:team-members", args=[team.pk])
    assert admin_client.post(url, {"remove": acme_admin.pk}).status_code == 403
    assert admin_client.post(reverse("employees:team-delete", args=[team.pk])).status_code == 403
    assert list(team.members.all()) == [acme_admin]


def test_plain_employee_sees_teams_but_cannot_change_them(client, acme, acme_employee):
    team = _team(acme, "Design", [acme_employee])
    signed_in(client, acme_employee)
    body = client.get(reverse("employees:team", args=[team.pk])).content.decode()
    assert acme_employee.full_name in body and "Add a member" not in body
    assert client.post(reverse("employees:team-delete", args=[team.pk])).status_code == 403
    assert client.post(reverse("employees:team-add"), {"name": "X"}).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_another_organizations_team_is_404(client, acme, outsider_admin):
    team = _team(acme)
    signed_in(client, outsider_admin)
    assert client.get(reverse("employees:team", args=[team.pk])).status_code == 404
    assert client.post(reverse("employees:team-delete", args=[team.pk])).status_code == 404


def test_delete_keeps_the_members(admin_client, acme, acme_admin):
    team = _team(acme, "Temp", [acme_admin])
    assert admin_client.post(reverse("employees:team-delete", args=[team.pk])).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    acme_admin.refresh_from_db()
