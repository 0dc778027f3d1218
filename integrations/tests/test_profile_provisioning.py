"""What provisioning shows on an employee's profile: who manages them, and their sync history."""

from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations.tests.conftest import fixture


def _profile(client, employee) -> str:
    return client.get(reverse("employees:detail", args=[employee.pk])).content.decode()


def test_provisioned_employee_shows_the_connection_and_sync_history(scim, acme_admin, db):
    created = scim.post("/Users", fixture("okta_create_user.json"))
    assert created.status_code == 201
    user_id = created.body["id"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"title": "CTO"}}],
    }
    scim.patch(f"/Users/{user_id}", patch)
    scim.get("/Users/does-not-exist")
    employee = Employee.objects.get(email=created.body["userName"])

    body = _profile(signed_in(Client(), acme_admin), employee)
    assert "Managed by Okta" in body
    history = body.split('id="sync-title"')[1].split("</section>")[0]
    assert history.count("<tr>") == 3  # header + the POST and the PATCH; the stray lookup is not theirs
    assert history.index("PATCH") < history.index("POST")  # newest first
    assert reverse("integrations:connection", args=[scim.connection.pk]) in history


def test_sync_history_is_for_integration_managers_only(scim, acme, db):
    created = scim.post("/Users", fixture("okta_create_user.json"))
    employee = Employee.objects.get(email=created.body["userName"])
    plain = EmployeeFactory(organization=acme, email="plain2@acme.example")
    body = _profile(signed_in(Client(), plain), employee)
    assert "Managed by Okta" in body
    assert "Sync history" not in body
    manager = EmployeeFactory(organization=acme, email="it@acme.example", can_manage_integrations=True)
    assert "Sync history" in _profile(signed_in(Client(), manager), employee)


def test_hand_added_employee_has_no_badge(admin_client, acme):
    person = EmployeeFactory(organization=acme, email="hand@acme.example")
    body = _profile(admin_client, person)
    assert "Managed by" not in body
    assert "No provisioning request has concerned" in body
