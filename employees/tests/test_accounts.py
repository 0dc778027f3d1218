"""Login accounts: provisioned employees have none until they get a way to sign in."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from employees import services
from employees.models import Employee, UserSession
from employees.tests.factories import EmployeeFactory
from integrations.models import ProvisionedEmployee, ScimRequest
from integrations.services import connection_create

User = get_user_model()


@pytest.fixture
def okta(acme):
    return connection_create(organization=acme, name="Okta").connection


def provision(okta, email="ava@acme.example", **kwargs):
    employee = services.employee_provision(organization=okta.organization, email=email, **kwargs)
    ProvisionedEmployee.objects.create(employee=employee, connection=okta)
    return employee


def reload(employee):
    return Employee.objects.get(pk=employee.pk)


def signs_in(email, password) -> bool:
    response = Client().post(reverse("login"), {"username": email, "password": password})
    return response.status_code == 302


def test_provisioned_employee_has_no_login_account(okta):
    users = User.objects.count()
    employee = provision(okta)
    assert reload(employee).user_id is None
    assert User.objects.count() == users


def test_provisioned_employee_cannot_sign_in(okta):
    provision(okta)
    assert not signs_in("ava@acme.example", "")
    assert not signs_in("ava@acme.example", "anything")


def test_deactivating_an_employee_without_a_login_account_applies_once(
    okta, django_capture_on_commit_callbacks
):
    employee = provision(okta)
    with django_capture_on_commit_callbacks():  # the task runs below, as a worker would
        services.employee_deactivate(employee=employee, reason="left")

    assert services.employee_apply_deactivation(employee_id=employee.pk) is True
    assert services.employee_apply_deactivation(employee_id=employee.pk) is False
    applied = reload(employee)
    assert applied.status == Employee.Status.DEACTIVATED and applied.deactivation_applied_at is not None
    assert applied.user_id is None
    activity = ScimRequest.objects.get(employee=employee)
    assert "no portal sign-in to block" in activity.detail and "session" not in activity.detail

    services.employee_reactivate(employee=applied)
    back = reload(employee)
    assert (back.status, back.deactivated_at, back.deactivation_applied_at, back.user_id) == (
        Employee.Status.ACTIVE,
        None,
        None,
        None,
    )


def test_employee_provisioned_deactivated_has_nothing_left_to_apply(okta):
    employee = provision(okta, active=False)
    assert employee.user_id is None and employee.deactivation_applied_at is not None
    assert services.employee_apply_deactivation(employee_id=employee.pk) is False
    services.employee_reactivate(employee=reload(employee))
    assert reload(employee).status == Employee.Status.ACTIVE


def test_setting_a_password_creates_the_login_account(okta):
    employee = provision(okta)
    version = reload(employee).version

    services.employee_set_password(employee=employee, password="pw-Ava-12345")

    stored = reload(employee)
    assert stored.user_id is not None and stored.user_id == employee.user_id
    assert stored.version == version + 1 == employee.version
    assert stored.user.is_active and stored.user.email == ""
    assert signs_in("AVA@acme.example", "pw-Ava-12345")


def test_setting_a_password_again_keeps_the_account(acme):
    employee = EmployeeFactory(organization=acme, email="ben@acme.example", password="pw-Old-12345")
    account, version = employee.user_id, reload(employee).version

    services.employee_set_password(employee=reload(employee), password="pw-New-12345")

    assert (reload(employee).user_id, reload(employee).version) == (account, version)
    assert User.objects.filter(employee__pk=employee.pk).count() == 1
    assert signs_in("ben@acme.example", "pw-New-12345")
    assert not signs_in("ben@acme.example", "pw-Old-12345")


def test_a_deactivated_employee_given_a_password_signs_in_once_reactivated(okta):
    employee = provision(okta, active=False)

    services.employee_set_password(employee=employee, password="pw-Ava-12345")

    assert not User.objects.get(pk=employee.user_id).is_active
    assert not signs_in("ava@acme.example", "pw-Ava-12345")
    services.employee_reactivate(employee=reload(employee))
    assert signs_in("ava@acme.example", "pw-Ava-12345")


def test_reactivating_a_copy_read_before_the_account_was_created_turns_the_account_on(okta):
    employee = provision(okta, active=False)
    stale = reload(employee)  # read without an account
    services.employee_set_password(employee=reload(employee), password="pw-Ava-12345")

    services.employee_reactivate(employee=stale)

    assert reload(employee).status == Employee.Status.ACTIVE
    assert User.objects.get(pk=reload(employee).user_id).is_active
    assert signs_in("ava@acme.example", "pw-Ava-12345")


def test_deactivation_ends_the_sessions_of_an_account_created_after_provisioning(
    okta, django_capture_on_commit_callbacks
):
    employee = provision(okta)
    services.employee_set_password(employee=employee, password="pw-Ava-12345")
    assert signs_in("ava@acme.example", "pw-Ava-12345")
    assert UserSession.objects.filter(user_id=employee.user_id).count() == 1

    with django_capture_on_commit_callbacks():
        services.employee_deactivate(employee=reload(employee), reason="left")
    assert services.employee_apply_deactivation(employee_id=employee.pk) is True

    assert not UserSession.objects.filter(user_id=employee.user_id).exists()
    assert not User.objects.get(pk=employee.user_id).is_active
    assert "1 session(s) ended" in ScimRequest.objects.get(employee=employee).detail
