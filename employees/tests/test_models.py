import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from employees import services
from employees.models import Employee
from employees.services import EmployeeConflict
from employees.tests.factories import EmployeeFactory


def test_email_is_unique_per_organization_case_insensitively(acme):
    EmployeeFactory(organization=acme, email="ava@acme.example")
    with pytest.raises(EmployeeConflict):
        EmployeeFactory(organization=acme, email="AVA@Acme.Example")
    assert Employee.objects.filter(organization=acme).count() == 1


def test_database_refuses_a_case_variant_duplicate_email(acme):
    from django.db import IntegrityError, transaction

    first = EmployeeFactory(organization=acme, email="ava@acme.example")
    clone = Employee(organization=acme, email="Ava@ACME.example", username="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert first.pk


def test_same_email_is_allowed_in_two_organizations(acme, outsider_org):
    EmployeeFactory(organization=acme, email="ava@example.com")
    EmployeeFactory(organization=outsider_org, email="ava@example.com")
    assert Employee.objects.filter(email="ava@example.com").count() == 2


def test_manager_must_belong_to_the_same_organization(acme, outsider_org):
    employee = EmployeeFactory(organization=acme)
    stranger = EmployeeFactory(organization=outsider_org)
    with pytest.raises(ValidationError):
        services.employee_set_manager(employee=employee, manager=stranger)
    employee.refresh_from_db()
    assert employee.manager is None


def test_manager_cannot_be_self_or_make_a_cycle(acme):
    boss = EmployeeFactory(organization=acme)
    report = EmployeeFactory(organization=acme)
    with pytest.raises(ValidationError):
        services.employee_set_manager(employee=boss, manager=boss)
    services.employee_set_manager(employee=report, manager=boss)
    with pytest.raises(ValidationError):
        services.employee_set_manager(employee=boss, manager=report)


def test_overlong_names_and_malformed_emails_are_refused(acme):
    with pytest.raises(ValidationError):
        EmployeeFactory(organization=acme, first_name="x" * 151)
    with pytest.raises(ValidationError):
        EmployeeFactory(organization=acme, email="not-an-email")
    assert not Employee.objects.filter(organization=acme).exists()


def test_seed_demo_creates_acme_with_managers_and_an_admin(db, capsys, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    acme = Employee.objects.get(email="admin@acme.example").organization
    assert acme.employees.count() == 21
    assert acme.employees.filter(manager__isnull=False).count() == 20
    assert "demo-pass-123" in capsys.readouterr().out


def test_a_provider_sync_validates_what_it_changes_and_leaves_stored_values_alone(acme):
    employee = EmployeeFactory(organization=acme, job_title="Engineer")
    # A value stored before a rule tightened: kept as it is by a sync that does not touch it.
    Employee.objects.filter(pk=employee.pk).update(email="legacy-address")
    employee.refresh_from_db()

    def provider_update(**profile):
        with transaction.atomic():
            services.employee_lock(employee)
            return services.employee_provider_update(employee=employee, profile=profile)

    with pytest.raises(ValidationError) as refused:
        provider_update(job_title="y" * 300)
    assert "job_title" in refused.value.message_dict

    assert provider_update(job_title="Staff Engineer") == "update"

    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.job_title, stored.email, stored.version) == ("Staff Engineer", "legacy-address", 2)
