import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import signed_in
from employees import services
from employees.custom_fields import custom_value_clean
from employees.models import CustomField, Employee
from employees.tests.factories import EmployeeFactory

T = CustomField.Type


def _field(field_type, key="f", choices=()):
    return CustomField(key=key, label="The field", field_type=field_type, choices=list(choices))


@pytest.mark.parametrize(
    ("field_type", "raw", "stored"),
    [
        (T.TEXT, "  Austin HQ ", "Austin HQ"),
        (T.NUMBER, "42", 42),
        (T.NUMBER, 3.5, 3.5),
        (T.NUMBER, "1e3", 1000),
        (T.DATE, "2024-02-29", "2024-02-29"),
        (T.DATE, "2024-02-29T10:00:00Z", "2024-02-29"),
        (T.DATE, datetime.date(2024, 1, 2), "2024-01-02"),
        (T.BOOLEAN, "Yes", True),
        (T.BOOLEAN, False, False),
        (T.CHOICE, "remote", "Remote"),
        (T.TEXT, "", None),
        (T.NUMBER, None, None),
    ],
)
def test_values_are_stored_in_their_type(field_type, raw, stored):
    assert custom_value_clean(_field(field_type, choices=["Office", "Remote"]), raw) == stored


@pytest.mark.parametrize(
    ("field_type", "raw"),
    [
        (T.TEXT, 12),
        (T.TEXT, "x" * 1001),
        (T.NUMBER, "twelve"),
        (T.NUMBER, True),
        (T.NUMBER, "nan"),
        (T.NUMBER, float("inf")),
        (T.DATE, "2023-02-29"),
        (T.DATE, "31/01/2024"),
        (T.BOOLEAN, "maybe"),
        (T.CHOICE, "Moon"),
        (T.CHOICE, ["Office"]),
    ],
)
def test_wrong_values_are_refused_naming_the_field(field_type, raw):
    with pytest.raises(ValidationError) as refused:
        custom_value_clean(_field(field_type, key="office", choices=["Office", "Remote"]), raw)
    assert list(refused.value.message_dict) == ["office"]
    assert refused.value.message_dict["office"][0].startswith("The field: ")


def test_admin_defines_fields_in_settings(admin_client, acme):
    url = reverse("settings:field-add")
    response = admin_client.post(
        url,
        {
            "label": "Work location",
            "key": "workLocation",
            "field_type": "choice",
            "choices": "Office\nRemote\n",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get(organization=acme)
    assert (field.key, field.choices) == ("workLocation", ["Office", "Remote"])
    page = admin_client.get(reverse("settings:fields")).content.decode()
    assert "Work location" in page and "workLocation" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"label": "Cost", "key": "1cost", "field_type": "text"}, "Start with a letter"),
        ({"label": "Cost", "key": "COSTCENTER", "field_type": "text"}, "already uses this key"),
        ({"label": "Where", "key": "where", "field_type": "choice", "choices": ""}, "at least one option"),
        ({"label": "", "key": "blank", "field_type": "text"}, "This field is required."),
    ],
)
def test_bad_field_definitions_are_form_errors(admin_client, acme, data, error):
    services.custom_field_create(organization=acme, key="costCenter", label="Cost center", field_type="text")
    response = admin_client.post(reverse("settings:field-add"), data)
    assert response.status_code == 200 and error in response.content.decode()
    assert CustomField.objects.filter(organization=acme).count() == 1


def test_only_admins_of_the_organization_manage_fields(client, acme, acme_employee, outsider_admin):
    field = services.custom_field_create(
        organization=acme, key="shirt", label="Shirt size", field_type="text"
    )
    assert signed_in(client, acme_employee).get(reverse("settings:fields")).status_code == 403
    signed_in(client, outsider_admin)
    assert client.get(reverse("settings:field-edit", args=[field.pk])).status_code == 404
    assert client.post(reverse("settings:field-archive", args=[field.pk])).status_code == 404
    field.refresh_from_db()
    assert not field.is_archived


@pytest.fixture
def fields(acme):
    return {
        "location": services.custom_field_create(
            organization=acme,
            key="workLocation",
            label="Work location",
            field_type="choice",
            choices=["Office", "Remote"],
        ),
        "start": services.custom_field_create(
            organization=acme, key="startDate", label="Start date", field_type="date"
        ),
        "badge": services.custom_field_create(
            organization=acme, key="badge", label="Badge number", field_type="number"
        ),
        "mentor": services.custom_field_create(
            organization=acme, key="mentor", label="Mentor", field_type="boolean"
        ),
    }


def _edit(admin_client, employee, **custom):
    data = {
        "email": employee.email,
        "first_name": employee.first_name or "X",
        "last_name": employee.last_name,
    }
    data.update({f"custom__{key}": value for key, value in custom.items()})
    return admin_client.post(reverse("employees:edit", args=[employee.pk]), data)


def test_edit_form_sets_typed_values_shown_on_the_profile(admin_client, acme, fields):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    response = _edit(
        admin_client, ava, workLocation="Remote", startDate="2024-03-01", badge="1234", mentor="true"
    )
    assert response.status_code == 302
    ava.refresh_from_db()
    assert ava.custom_values == {
        "workLocation": "Remote",
        "startDate": "2024-03-01",
        "badge": 1234,
        "mentor": True,
    }
    profile = admin_client.get(reverse("employees:detail", args=[ava.pk])).content.decode()
    for shown in ("Work location", "Remote", "2024-03-01", "1234", "Yes"):
        assert shown in profile


def test_a_refused_value_is_a_form_error_and_changes_nothing(admin_client, acme, fields):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example", job_title="Engineer")
    response = _edit(admin_client, ava, badge="lots", workLocation="Remote")
    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    ava.refresh_from_db()
    assert ava.custom_values == {}


def test_directory_filters_on_a_custom_field(admin_client, acme, fields):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    liam = EmployeeFactory(organization=acme, email="liam@acme.example")
    services.employee_set_custom_values(employee=ava, values={"workLocation": "Remote", "mentor": True})
    services.employee_set_custom_values(employee=liam, values={"workLocation": "Office", "mentor": False})

    def listed(field, value):
        body = admin_client.get(
            reverse("employees:directory"), {"field": field, "value": value}
        ).content.decode()
        return {e.email for e in (ava, liam) if e.email in body}

    assert listed("workLocation", "remote") == {"ava@acme.example"}
    assert listed("mentor", "no") == {"liam@acme.example"}
    assert listed("badge", "not a number") == set()
    assert listed("unknownKey", "x") == {"ava@acme.example", "liam@acme.example"}


def test_csv_export_has_custom_columns_and_escapes_formulas(admin_client, acme, fields):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example", first_name="=HYPERLINK(1)")
    services.employee_set_custom_values(
        employee=ava, values={"workLocation": "Remote", "startDate": "2024-03-01"}
    )
    response = admin_client.get(reverse("employees:export"), {"q": "ava"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].endswith("Manager email,Work location,Start date,Badge number,Mentor")
    assert len(lines) == 2
    assert lines[1].startswith("'=HYPERLINK(1)") and lines[1].endswith(",Remote,2024-03-01,,")


def test_csv_export_is_for_admins(client, acme_employee):
    assert signed_in(client, acme_employee).get(reverse("employees:export")).status_code == 403


def test_archive_keeps_values_restore_brings_them_back_delete_purges(admin_client, acme, fields):
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    services.employee_set_custom_values(employee=ava, values={"workLocation": "Remote"})
    location = fields["location"]
    archive = reverse("settings:field-archive", args=[location.pk])
    assert admin_client.post(reverse("settings:field-delete", args=[location.pk])).status_code == 302
    assert CustomField.objects.filter(pk=location.pk).exists()  # active fields are archived first

    admin_client.post(archive, {"action": "archive"})
    assert (
        "custom__workLocation"
        not in admin_client.get(reverse("employees:edit", args=[ava.pk])).content.decode()
    )
    ava.refresh_from_db()
    assert ava.custom_values == {"workLocation": "Remote"}
    admin_client.post(archive, {"action": "restore"})
    assert "Remote" in admin_client.get(reverse("employees:detail", args=[ava.pk])).content.decode()

    admin_client.post(archive, {"action": "archive"})
    confirm = admin_client.get(reverse("settings:field-delete", args=[location.pk])).content.decode()
    assert "1 employee</strong>" in confirm
    version = Employee.objects.get(pk=ava.pk).version
    admin_client.post(reverse("settings:field-delete", args=[location.pk]))
    ava.refresh_from_db()
    assert ava.custom_values == {} and ava.version == version + 1
    assert not CustomField.objects.filter(pk=location.pk).exists()


def test_a_key_named_like_a_lookup_filters_as_a_key(admin_client, acme):
    services.custom_field_create(organization=acme, key="contains", label="Contains", field_type="text")
    ava = EmployeeFactory(organization=acme, email="ava@acme.example")
    services.employee_set_custom_values(employee=ava, values={"contains": "peanuts"})
    body = admin_client.get(
        reverse("employees:directory"), {"field": "contains", "value": "PEAN"}
    ).content.decode()
    assert "ava@acme.example" in body


def test_profile_field_changes_are_in_the_audit_trail(admin_client, acme, acme_admin):
    from audit.models import AuditEvent

    admin_client.post(reverse("settings:field-add"), {"label": "Shirt", "key": "shirt", "field_type": "text"})
    field = CustomField.objects.get(organization=acme)
    admin_client.post(reverse("settings:field-archive", args=[field.pk]), {"action": "archive"})
    admin_client.post(reverse("settings:field-delete", args=[field.pk]))
    events = AuditEvent.objects.filter(organization=acme).order_by("created_at", "id")
    assert [e.action for e in events] == [
        "custom_field.created",
        "custom_field.archived",
        "custom_field.deleted",
    ]
    assert {e.actor_email for e in events} == {acme_admin.email}
    assert events[0].action_label == "Added a profile field"
