"""Fields the owning connection sends are read-only in the portal; the others stay editable, and the
provider's next sync does not clear what the portal keeps."""

from django.urls import reverse

from employees.models import Employee
from integrations import services
from integrations.tests.conftest import user_payload

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def okta_user_without_department():
    body = user_payload("ava@acme.example")
    del body[ENTERPRISE]["department"]
    return body


def test_the_edit_form_disables_what_the_connection_sends(scim, admin_client):
    ava = scim.post("/Users", okta_user_without_department()).body
    page = admin_client.get(reverse("employees:edit", args=[ava["id"]])).content.decode()
    assert page.count("Managed by Okta.") == 9  # email, names, title, unit, city, number, manager, locale
    assert 'name="job_title" value="Sales Manager" maxlength="200" disabled' in page
    assert 'name="department" maxlength="200" id="id_department"' in page  # not sent: editable


def test_saving_keeps_the_managed_values_and_changes_the_others(scim, admin_client):
    ava = scim.post("/Users", okta_user_without_department()).body
    form = {
        "email": "forged@acme.example",
        "first_name": "Forged",
        "last_name": "Name",
        "job_title": "CEO",
        "department": "Research",
        "business_unit": "x",
        "location_city": "x",
        "employee_number": "x",
        "manager": "",
    }
    response = admin_client.post(reverse("employees:edit", args=[ava["id"]]), form)
    assert response.status_code == 302
    employee = Employee.objects.get(pk=ava["id"])
    assert (employee.email, employee.first_name, employee.job_title, employee.business_unit) == (
        "ava@acme.example",
        "Ava",
        "Sales Manager",
        "Americas",
    )
    assert employee.department == "Research"
    assert employee.manager_email == "helen.cho@example.com"

    # Okta's next PUT (it never sends a department) leaves the portal's department alone, and
    # still clears what it does manage when it leaves it out.
    current = scim.get(f"/Users/{ava['id']}").body
    current[ENTERPRISE].pop("department")
    current.pop("title")
    scim.put(f"/Users/{ava['id']}", current)
    employee.refresh_from_db()
    assert (employee.department, employee.job_title) == ("Research", "")


def test_a_field_the_connection_starts_sending_becomes_managed(scim, admin_client):
    ava = scim.post("/Users", okta_user_without_department()).body
    current = scim.get(f"/Users/{ava['id']}").body
    current[ENTERPRISE]["department"] = "Sales"
    scim.put(f"/Users/{ava['id']}", current)
    page = admin_client.get(reverse("employees:edit", args=[ava["id"]])).content.decode()
    assert 'name="department" value="Sales" maxlength="200" disabled' in page


def test_unowned_and_released_employees_are_fully_editable(scim, admin_client, acme):
    ava = scim.post("/Users", okta_user_without_department()).body
    services.connection_delete(connection=scim.connection)
    page = admin_client.get(reverse("employees:edit", args=[ava["id"]])).content.decode()
    assert "Managed by" not in page
