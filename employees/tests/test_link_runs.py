"""A link run reads the links waiting for their manager without deciding (or counting) them."""

from employees import services
from employees.models import Employee
from employees.tests.factories import EmployeeFactory


def make(org, email, manager_email=""):
    return EmployeeFactory(organization=org, email=email, manager_email=manager_email)


def test_links_waiting_for_their_manager_do_not_use_up_a_run_or_queue_another(
    acme, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services.managers, "MANAGER_LINKS_BATCH", 2)
    with django_capture_on_commit_callbacks():  # no run yet
        waiting = [make(acme, f"w{n}@acme.example", manager_email="later@acme.example") for n in range(5)]
        make(acme, "boss@acme.example")
        report = make(acme, "r@acme.example", manager_email="boss@acme.example")

    outcome = services.organization_resolve_manager_links(organization_id=acme.pk, limit=2)

    assert (outcome.resolved, outcome.more) == (1, False)
    assert Employee.objects.get(pk=report.pk).manager.email == "boss@acme.example"
    assert all(Employee.objects.get(pk=w.pk).manager_link == Employee.ManagerLink.PENDING for w in waiting)
