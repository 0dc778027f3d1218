"""Protected people: the last active admin and support staff are never deactivated by provisioning
without an admin's decision, whatever the threshold; the portal refuses to remove the last admin."""

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import signed_in
from employees import services
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import brake
from integrations import services as integration_services
from integrations.models import ProvisionedDeactivation

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Celery tasks run in-process, as without Redis: the email and the deactivation run are
    executed by Celery itself here, whichever broker the suite uses."""
    from engagedly_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def provisioned(scim, *employees):
    for employee in employees:
        integration_services.employee_provisioned_by(employee=employee, connection=scim.connection)


def held_reason(employee) -> str:
    return ProvisionedDeactivation.objects.get(employee=employee, state="held").reason


def test_the_last_admin_is_held_below_the_threshold(scim, acme_admin, django_capture_on_commit_callbacks):
    provisioned(scim, acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = scim.patch(f"/Users/{acme_admin.pk}", DEACTIVATE)
    assert (answer.status_code, answer.body["active"]) == (200, False)
    assert Employee.objects.get(pk=acme_admin.pk).status == "active"
    assert held_reason(acme_admin) == "last_admin"
    assert (
        authenticate(RequestFactory().post("/login/"), username="admin@acme.example", password="pw-Admin-123")
        is not None
    )
    # The admins hear of it, with the reason.
    assert [message.to for message in mail.outbox] == [["admin@acme.example"]]
    assert "last active admin" in mail.outbox[0].body


def test_a_support_staff_account_is_held_even_with_the_brake_off(scim, acme, acme_admin):
    staff = EmployeeFactory(organization=acme, email="support@acme.example", password="pw-Staff-123")
    staff.user.is_staff = True
    staff.user.save()
    provisioned(scim, staff)
    brake.brake_update(organization=acme, enabled=False, threshold=None, window_minutes=60)
    assert scim.delete(f"/Users/{staff.pk}").status_code == 204
    assert Employee.objects.get(pk=staff.pk).status == "active"
    assert held_reason(staff) == "support_staff"


def test_an_admin_who_is_not_the_last_is_deactivated_as_usual(scim, acme, acme_admin):
    second = EmployeeFactory(organization=acme, email="second@acme.example", is_org_admin=True)
    provisioned(scim, acme_admin, second)
    scim.patch(f"/Users/{second.pk}", DEACTIVATE)
    assert Employee.objects.get(pk=second.pk).status == "deactivated"
    # Now the first one is the last: held.
    scim.patch(f"/Users/{acme_admin.pk}", DEACTIVATE)
    assert held_reason(acme_admin) == "last_admin"


def test_two_admins_deactivated_together_leave_one_held(scim, acme, acme_admin):
    second = EmployeeFactory(organization=acme, email="second@acme.example", is_org_admin=True)
    provisioned(scim, acme_admin, second)
    brake.brake_update(organization=acme, enabled=True, threshold=100, window_minutes=60)
    scim.patch(f"/Users/{second.pk}", DEACTIVATE)
    scim.patch(f"/Users/{acme_admin.pk}", DEACTIVATE)
    assert [Employee.objects.get(pk=e.pk).status for e in (second, acme_admin)] == ["deactivated", "active"]


def test_the_portal_refuses_to_deactivate_the_last_admin(acme, acme_admin):
    with pytest.raises(services.LastAdminDeactivation):
        services.employee_deactivate(employee=acme_admin, keep_last_admin=True)
    web = signed_in(Client(), acme_admin)
    response = web.post(reverse("employees:status", args=[acme_admin.pk]), follow=True)
    assert Employee.objects.get(pk=acme_admin.pk).status == "active"
    assert b"cannot deactivate" in response.content


def test_apply_refuses_the_last_admin_and_keeps_it_held(scim, acme, acme_admin):
    integrator = EmployeeFactory(
        organization=acme, email="it@acme.example", can_manage_integrations=True, password="pw-It-12345"
    )
    provisioned(scim, acme_admin)
    scim.patch(f"/Users/{acme_admin.pk}", DEACTIVATE)
    web = signed_in(Client(), integrator)
    url = reverse("integrations:held-decide", args=[scim.connection.pk])
    response = web.post(url, {"action": "apply", "scope": "all"}, follow=True)
    assert b"last active admin" in response.content
    assert Employee.objects.get(pk=acme_admin.pk).status == "active"
    assert held_reason(acme_admin) == "last_admin"
