"""A connection's editable attribute mapping and the panel of what the IdP sends (issue 20, items 3-4)."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees.models import Employee
from employees.services import custom_field_create
from integrations.models import ScimRequest
from integrations.tests.conftest import ScimClient, fixture, user_payload
from integrations.tests.settings_helpers import make_connection

CUSTOM = "urn:ietf:params:scim:schemas:extension:engagedly:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def office(acme):
    return custom_field_create(organization=acme, key="office", label="Office", field_type="text")


@pytest.fixture
def created(acme):
    return make_connection(acme)


@pytest.fixture
def scim(client, created):
    # Its own test client: the admin's session cookie must not ride along with SCIM requests.
    return ScimClient(Client(), created.connection, created.plaintext_token)


def _url(connection):
    return reverse("integrations:connection-mapping", args=[connection.pk])


def _form(page) -> dict:
    """The mapping form as the page pre-fills it."""
    form = page.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_the_page_lists_every_field_prefilled_with_the_defaults(admin_client, created, office):
    page = admin_client.get(_url(created.connection))
    assert page.status_code == 200
    values = _form(page)
    assert values["first_name"] == "name.givenName"
    assert values["location_city"] == 'addresses[type eq "work"].locality'
    assert values["employee_number"] == f"{ENTERPRISE}:employeeNumber"
    assert values["cost_center"] == f"{ENTERPRISE}:costCenter"
    assert values["custom:office"] == f"{CUSTOM}:office"
    assert not {"username", "active", "external_id"} & set(values)
    body = page.content.decode()
    assert "Okta pushes them again" in body and "what the portal stores" in body


def test_a_mapping_change_takes_effect_on_the_next_put(admin_client, created, scim, office):
    user = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    employee = Employee.objects.get(pk=user["id"])
    assert (employee.location_city, employee.employee_number) == ("Austin", "E-1042")
    values = _form(admin_client.get(_url(created.connection)))
    values.update(location_city=f"{CUSTOM}:office", employee_number="externalId", nick_name="")
    assert admin_client.post(_url(created.connection), values).status_code == 302
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {
        "location_city": f"{CUSTOM}:office",
        "employee_number": "externalId",
        "nick_name": "",
    }
    Employee.objects.filter(pk=employee.pk).update(nick_name="Avie")  # entered in the portal
    body = {**fixture("okta_create_user_custom.json"), "nickName": "From Okta"}
    assert scim.put(f"/Users/{user['id']}", body).status_code == 200
    employee.refresh_from_db()
    assert employee.location_city == "Austin HQ 4th floor"
    assert employee.employee_number == "00u18ep2sjmnGT1wk698"
    assert employee.nick_name == "Avie"  # not provisioned any more: left as it is
    assert employee.custom_values["office"] == "Austin HQ 4th floor"


def test_a_custom_field_fed_by_a_core_attribute(admin_client, created, scim, office):
    values = {**_form(admin_client.get(_url(created.connection))), "custom:office": "title"}
    admin_client.post(_url(created.connection), values)
    user = scim.post("/Users", user_payload(title="Buyer")).body
    assert Employee.objects.get(pk=user["id"]).custom_values == {"office": "Buyer"}


@pytest.mark.parametrize(
    "path",
    [
        "nickName.formatted",
        "name",
        "password",
        "groups",
        'title[type eq "work"]',
        'emails[value eq "x"].value',
        f"{ENTERPRISE}:salary",
        f"{CUSTOM}:shoeSize",
        "urn:example:other:2.0:User:office",
        'addresses[type eq "work"].planet',
    ],
)
def test_paths_outside_the_published_schema_are_form_errors(admin_client, created, office, path):
    values = {**_form(admin_client.get(_url(created.connection))), "location_city": path}
    page = admin_client.post(_url(created.connection), values)
    assert page.status_code == 200
    assert page.context["form"].errors["location_city"]
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {}


def test_valid_paths_are_stored_in_their_canonical_spelling(admin_client, created, office):
    values = {
        **_form(admin_client.get(_url(created.connection))),
        "location_city": 'ADDRESSES[type eq "home"].LOCALITY',
        "department": f"{ENTERPRISE.upper()}:division",
        "job_title": "urn:ietf:params:scim:schemas:core:2.0:User:userType",
        "phone_number": 'ims[type eq "skype"].value',
        "manager_email": f"{ENTERPRISE}:manager",
    }
    assert admin_client.post(_url(created.connection), values).status_code == 302
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {
        "location_city": 'addresses[type eq "home"].locality',
        "department": f"{ENTERPRISE}:division",
        "job_title": "userType",
        "phone_number": 'ims[type eq "skype"].value',
        "manager_email": f"{ENTERPRISE}:manager",
    }


def test_the_email_cannot_be_left_unmapped_and_defaults_can_be_restored(admin_client, created):
    values = {**_form(admin_client.get(_url(created.connection))), "email": "", "title": ""}
    page = admin_client.post(_url(created.connection), values)
    assert "required to sign in" in str(page.context["form"].errors["email"])
    admin_client.post(_url(created.connection), {**values, "email": "userName", "job_title": ""})
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {"email": "userName", "job_title": ""}
    admin_client.post(_url(created.connection), {"reset": "1"})
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {}


def test_requests_record_the_paths_they_carried_never_values(scim, office):
    user = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    scim.get(f"/Users/{user['id']}")
    post, get = ScimRequest.objects.order_by("created_at", "pk")
    assert "name.givenName" in post.attributes and f"{CUSTOM}:office" in post.attributes
    assert not any("Austin" in path for path in post.attributes)
    assert get.attributes == []


def test_the_received_panel_after_a_replay(admin_client, created, scim, office):
    user = scim.post("/Users", fixture("okta_create_user_custom.json")).body
    scim.patch(f"/Users/{user['id']}", fixture("entra_update_custom.json"))
    scim.patch(f"/Users/{user['id']}", fixture("entra_update_profile.json"))
    scim.post("/Groups", fixture("okta_group_push_create.json"))  # a team's, not a profile's
    values = {**_form(admin_client.get(_url(created.connection))), "nick_name": ""}
    admin_client.post(_url(created.connection), values)
    page = admin_client.get(_url(created.connection))
    rows = {row.path: row for row in page.context["received"]}
    assert rows["name.givenName"].label == "Mapped to First name"
    assert rows[f"{CUSTOM}:office"].label == "Mapped to Office"
    assert rows[f"{CUSTOM}:office"].count == 2  # the create and the PATCH
    assert rows[f"{ENTERPRISE}:costCenter"].label == "Mapped to Cost center"
    assert rows['phoneNumbers[type eq "work"].value'].label == "Mapped to Phone"
    assert rows['phoneNumbers[type eq "mobile"].value'].label == "Stored"
    assert rows["userName"].label == rows["externalId"].label == "Stored"
    assert rows["password"].label == "Accepted, never stored"
    assert rows[f"{CUSTOM}:shoeSize"].label == "Not mapped"
    assert rows["groups"].label == "Not mapped"
    assert rows["title"].label == "Mapped to Job title"
    assert "members" not in rows and "displayName" in rows  # the user's, from Okta's create
    assert rows["displayName"].count == 1
    body = page.content.decode()
    assert "Austin HQ" not in body and "1mz050nq" not in body  # paths, never values


def test_another_organizations_admin_cannot_change_the_mapping(client, outsider_admin, created):
    signed_in(client, outsider_admin)
    assert client.post(_url(created.connection), {"job_title": "", "email": "userName"}).status_code == 404
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {}


def test_a_plain_employee_cannot_change_the_mapping(client, acme_employee, created):
    signed_in(client, acme_employee)
    assert client.post(_url(created.connection), {"job_title": "", "email": "userName"}).status_code == 403
    created.connection.refresh_from_db()
    assert created.connection.attribute_mapping == {}


def test_a_mapping_change_is_in_the_audit_trail(admin_client, acme, created):
    from audit.models import AuditEvent

    values = {**_form(admin_client.get(_url(created.connection))), "job_title": "userType"}
    admin_client.post(_url(created.connection), values)
    admin_client.post(_url(created.connection), {"reset": "1"})
    events = AuditEvent.objects.filter(action="connection.mapping_changed").order_by("pk")
    assert [(e.before, e.after) for e in events] == [
        ({"job_title": "(default)"}, {"job_title": "userType"}),
        ({"job_title": "userType"}, {"job_title": "(default)"}),
    ]
    assert events[0].organization == acme and events[0].actor_email == "admin@acme.example"
