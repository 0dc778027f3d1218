"""The directory profile an identity provider fills (issue 16, defect 9), shown and edited in the portal."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from employees.tests.test_employee_forms import VALID

CONTACT = {
    "phone_number": "+351 210 000 000",
    "street_address": "Rua Augusta 1",
    "location_city": "Lisbon",
    "region": "Lisboa",
    "postal_code": "1100-048",
    "country": "PT",
    "locale": "pt-PT",
    "timezone": "Europe/Lisbon",
    "cost_center": "CC-7",
}


def test_admin_edits_phone_address_locale_time_zone_and_cost_center(admin_client, acme):
    person = EmployeeFactory(organization=acme)
    data = {**VALID, "email": person.email, **CONTACT}

    response = admin_client.post(reverse("employees:edit", args=[person.pk]), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert {field: getattr(person, field) for field in CONTACT} == CONTACT
    page = admin_client.get(reverse("employees:detail", args=[person.pk])).content.decode()
    for text in (
        "+351 210 000 000",
        "Rua Augusta 1",
        "Lisbon Lisboa 1100-048",
        "PT",
        "pt-PT",
        "Europe/Lisbon",
        "CC-7",
    ):
        assert text in page, text


def test_the_edit_form_offers_the_contact_fields(admin_client, acme):
    person = EmployeeFactory(organization=acme, **CONTACT)

    page = admin_client.get(reverse("employees:edit", args=[person.pk])).content.decode()

    for field, value in CONTACT.items():
        assert f'name="{field}"' in page and f'value="{value}"' in page, field


def test_a_time_zone_typed_in_the_portal_must_be_a_real_one(admin_client, acme):
    person = EmployeeFactory(organization=acme)
    data = {**VALID, "email": person.email, "timezone": "Mars/Olympus_Mons"}

    response = admin_client.post(reverse("employees:edit", args=[person.pk]), data)

    assert response.status_code == 200
    assert b"Enter a time zone such as" in response.content
    person.refresh_from_db()
    assert person.timezone == ""


def test_a_time_zone_the_provider_sent_is_kept_when_the_admin_edits_something_else(admin_client, acme):
    person = EmployeeFactory(organization=acme, timezone="Pacific Standard Time")
    data = {**VALID, "email": person.email, "timezone": "Pacific Standard Time", "job_title": "Lead"}

    assert admin_client.post(reverse("employees:edit", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert (person.timezone, person.job_title) == ("Pacific Standard Time", "Lead")


def test_profile_shows_every_phone_and_a_formatted_address_when_there_are_no_parts(admin_client, acme):
    person = EmployeeFactory(
        organization=acme,
        phone_number="+1 425 555 0100",
        phone_type="work",
        address_formatted="Building 92\nRedmond",
        profile_extras={"phone_numbers": [{"value": "+1 425 555 0199", "type": "mobile"}]},
    )

    page = admin_client.get(reverse("employees:detail", args=[person.pk])).content.decode()

    assert "+1 425 555 0100" in page and "+1 425 555 0199" in page and "mobile" in page
    assert "Building 92<br>Redmond" in page


@pytest.mark.parametrize(
    "extras",
    [
        [{"value": "x"}],
        {"pets": []},
        {"roles": "admin"},
        {"roles": [{}]},
        {"roles": [{"value": 1}]},
        {"roles": [{"Value": "x"}]},
        {"roles": [{"value": "x"}] * 101},
    ],
)
def test_profile_extras_are_validated(acme, extras):
    employee = Employee(organization=acme, username="x@example.com", email="x@example.com")
    employee.profile_extras = extras
    with pytest.raises(ValidationError):
        employee.clean_fields(exclude=["organization", "user", "manager"])
