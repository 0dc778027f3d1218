from django.urls import reverse

from conftest import signed_in
from employees.models import Employee
from employees.tests.factories import EmployeeFactory

VALID = {
    "email": "new.person@acme.example",
    "first_name": "New",
    "last_name": "Person",
    "job_title": "Analyst",
    "department": "Finance",
    "business_unit": "Americas",
    "location_city": "Austin",
    "employee_number": "E-9",
    "manager": "",
}


def test_admin_adds_an_employee_with_a_manager(admin_client, acme_admin):
    response = admin_client.post(reverse("employees:add"), {**VALID, "manager": acme_admin.pk})
    assert response.status_code == 302
    created = Employee.objects.get(email="new.person@acme.example")
    assert created.manager == acme_admin
    assert created.organization == acme_admin.organization


def test_too_long_name_and_malformed_email_are_form_errors(admin_client, acme):
    before = Employee.objects.count()
    response = admin_client.post(
        reverse("employees:add"), {**VALID, "first_name": "x" * 500, "email": "nope"}
    )
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert b"at most 150 characters" in response.content
    assert Employee.objects.count() == before


def test_duplicate_email_in_another_case_is_a_form_error(admin_client, acme):
    EmployeeFactory(organization=acme, email="taken@acme.example")
    response = admin_client.post(reverse("employees:add"), {**VALID, "email": "TAKEN@acme.example"})
    assert response.status_code == 200
    assert b"Another employee already uses" in response.content


def test_edit_refuses_a_reporting_cycle(admin_client, acme):
    from employees import services

    boss = EmployeeFactory(organization=acme)
    report = EmployeeFactory(organization=acme)
    services.employee_set_manager(employee=report, manager=boss)
    data = {**VALID, "email": boss.email, "manager": report.pk}
    response = admin_client.post(reverse("employees:edit", args=[boss.pk]), data)
    assert response.status_code == 200
    assert b"cycle" in response.content
    boss.refresh_from_db()
    assert boss.manager is None
    assert boss.job_title != "Analyst"  # the profile part of the refused edit was not saved either


def test_manager_from_another_organization_is_not_a_choice(admin_client, outsider_admin, acme):
    response = admin_client.post(reverse("employees:add"), {**VALID, "manager": outsider_admin.pk})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_admin_deactivates_and_reactivates(admin_client, acme):
    person = EmployeeFactory(organization=acme)
    url = reverse("employees:status", args=[person.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"action": "deactivate"})
    person.refresh_from_db()
    assert person.status == Employee.Status.DEACTIVATED
    admin_client.post(url, {"action": "reactivate"})
    person.refresh_from_db()
    assert person.status == Employee.Status.ACTIVE


def test_plain_employee_cannot_change_employees(client, acme_employee, acme_admin):
    signed_in(client, acme_employee)
    assert client.get(reverse("employees:add")).status_code == 403
    assert (
        client.post(reverse("employees:status", args=[acme_admin.pk]), {"action": "deactivate"}).status_code
        == 403
    )


def test_outsider_admin_gets_404_on_acme_employee_pages(client, outsider_admin, acme_employee):
    signed_in(client, outsider_admin)
    assert client.get(reverse("employees:edit", args=[acme_employee.pk])).status_code == 404
    response = client.post(reverse("employees:status", args=[acme_employee.pk]), {"action": "deactivate"})
    assert response.status_code == 404
    acme_employee.refresh_from_db()
    assert acme_employee.is_active


def test_forms_require_csrf(acme_admin):
    from django.test import Client

    client = signed_in(Client(enforce_csrf_checks=True), acme_admin)
    assert client.post(reverse("employees:add"), VALID).status_code == 403


def test_admin_grants_the_integrations_permission_to_a_plain_employee(client, admin_client, acme_employee):
    data = {**VALID, "email": acme_employee.email, "can_manage_integrations": "on"}
    assert admin_client.post(reverse("employees:edit", args=[acme_employee.pk]), data).status_code == 302
    acme_employee.refresh_from_db()
    assert acme_employee.can_manage_integrations and not acme_employee.is_org_admin
    client.logout()
    signed_in(client, acme_employee)
    assert client.get(reverse("integrations:index")).status_code == 200
    assert client.get(reverse("employees:add")).status_code == 403


def test_admin_cannot_remove_their_own_admin_role(admin_client, acme_admin):
    data = {**VALID, "email": acme_admin.email}
    response = admin_client.post(reverse("employees:edit", args=[acme_admin.pk]), data)
    assert response.status_code == 200
    assert b"You cannot remove your own admin role" in response.content
    acme_admin.refresh_from_db()
    assert acme_admin.is_org_admin
