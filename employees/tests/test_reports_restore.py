"""The "reassign reports" policy for links that resolve late, and restoring reports on reactivation."""

import pytest
from django.urls import reverse

from conftest import signed_in
from employees import services, tasks
from employees.models import Employee, Organization
from employees.tests.factories import EmployeeFactory

REASSIGN = Organization.DirectReportsPolicy.REASSIGN


@pytest.fixture
def published(monkeypatch):
    """Run every task published after commit in-process, as a worker would."""

    def publish(task, object_id, **options):
        task.apply(args=[object_id], throw=True)
        return True

    monkeypatch.setattr(tasks, "_publish", publish)


@pytest.fixture
def run(published, django_capture_on_commit_callbacks):
    """Writes inside `with run():` have their background work done when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make(org, email, manager_email="", **kwargs):
    return EmployeeFactory(organization=org, email=email, manager_email=manager_email, **kwargs)


def reload(employee):
    return Employee.objects.get(pk=employee.pk)


def reassigning(org):
    Organization.objects.filter(pk=org.pk).update(direct_reports_on_deactivation=REASSIGN)


def deactivated(run, employee):
    with run():
        services.employee_deactivate(employee=reload(employee))
    employee = reload(employee)
    assert employee.deactivation_applied_at is not None
    return employee


def test_a_link_resolving_after_its_manager_left_follows_the_reassign_policy(acme, run):
    reassigning(acme)
    with run():
        top = make(acme, "top@acme.example")
        middle = make(acme, "middle@acme.example", manager_email="top@acme.example")
    deactivated(run, middle)
    with run():  # the identity provider sends the report only now, naming the departed manager
        late = make(acme, "late@acme.example", manager_email="Middle@acme.example")
    late = reload(late)
    assert (late.manager_id, late.manager_link, late.manager_email) == (
        top.pk,
        Employee.ManagerLink.RESOLVED,
        "top@acme.example",
    )
    assert late.moved_from_manager_id == middle.pk


def test_a_late_link_climbs_past_every_departed_manager(acme, run):
    reassigning(acme)
    with run():
        top = make(acme, "top@acme.example")
        upper = make(acme, "upper@acme.example", manager_email="top@acme.example")
        lower = make(acme, "lower@acme.example", manager_email="upper@acme.example")
    deactivated(run, lower)
    deactivated(run, upper)
    with run():
        late = make(acme, "late@acme.example", manager_email="lower@acme.example")
    late = reload(late)
    assert (late.manager_id, late.moved_from_manager_id) == (top.pk, lower.pk)


def test_a_late_link_to_a_departed_top_manager_leaves_no_manager(acme, run):
    reassigning(acme)
    with run():
        ceo = make(acme, "ceo@acme.example")
    deactivated(run, ceo)
    with run():
        late = make(acme, "late@acme.example", manager_email="ceo@acme.example")
    late = reload(late)
    assert (late.manager_id, late.manager_link, late.manager_email) == (None, Employee.ManagerLink.NONE, "")
    assert late.moved_from_manager_id == ceo.pk


def test_with_the_keep_policy_a_late_link_stays_with_the_departed_manager(acme, run):
    with run():
        make(acme, "top@acme.example")
        middle = make(acme, "middle@acme.example", manager_email="top@acme.example")
    deactivated(run, middle)
    with run():
        late = make(acme, "late@acme.example", manager_email="middle@acme.example")
    late = reload(late)
    assert (late.manager_id, late.moved_from_manager_id) == (middle.pk, None)


def test_a_link_to_a_manager_whose_deactivation_is_not_applied_yet_is_moved_by_that_run(
    acme, published, django_capture_on_commit_callbacks
):
    reassigning(acme)
    with django_capture_on_commit_callbacks(execute=True):
        top = make(acme, "top@acme.example")
        middle = make(acme, "middle@acme.example", manager_email="top@acme.example")
    with django_capture_on_commit_callbacks() as held:  # the deactivation run is not delivered yet
        services.employee_deactivate(employee=reload(middle))
    with django_capture_on_commit_callbacks(execute=True):
        late = make(acme, "late@acme.example", manager_email="middle@acme.example")
    assert reload(late).manager_id == middle.pk
    for callback in held:
        callback()
    late = reload(late)
    assert (late.manager_id, late.moved_from_manager_id) == (top.pk, middle.pk)


def moved_team(acme, run):
    """top <- boss <- (early, late): boss leaves; early moves with the run, late links afterwards."""
    reassigning(acme)
    with run():
        top = make(acme, "top@acme.example")
        boss = make(acme, "boss@acme.example", manager_email="top@acme.example")
        early = make(acme, "early@acme.example", manager_email="boss@acme.example")
    deactivated(run, boss)
    with run():
        late = make(acme, "late@acme.example", manager_email="boss@acme.example")
    assert reload(early).manager_id == reload(late).manager_id == top.pk
    return top, boss, early, late


def test_reactivating_the_manager_and_restoring_moves_every_report_back(acme, run):
    top, boss, early, late = moved_team(acme, run)
    services.employee_reactivate(employee=reload(boss))

    outcome = services.employee_reports_restore(manager=reload(boss))

    assert {report.pk for report in outcome.restored} == {early.pk, late.pk}
    for report in (early, late):
        report = reload(report)
        assert (report.manager_id, report.manager_email, report.moved_from_manager_id) == (
            boss.pk,
            "boss@acme.example",
            None,
        )
        assert report.manager_link == Employee.ManagerLink.RESOLVED


def test_restoring_is_refused_while_the_manager_is_still_deactivated(acme, run):
    _, boss, early, _ = moved_team(acme, run)
    outcome = services.employee_reports_restore(manager=reload(boss))
    assert (outcome.restored, outcome.refused) == ([], {})
    assert reload(early).moved_from_manager_id == boss.pk


def test_a_report_that_would_close_a_cycle_is_not_restored(acme, run):
    top, boss, early, late = moved_team(acme, run)
    services.employee_reactivate(employee=reload(boss))
    services.employee_set_manager(employee=reload(boss), manager=reload(early))  # boss now under early

    outcome = services.employee_reports_restore(manager=reload(boss))

    assert [report.pk for report in outcome.restored] == [late.pk]
    assert [report.pk for report in outcome.refused] == [early.pk]
    assert reload(early).manager_id == top.pk


def test_a_new_manager_from_the_identity_provider_forgets_the_move(acme, run):
    top, boss, early, _ = moved_team(acme, run)
    services.employee_update(employee=reload(early), manager_email="top@acme.example")
    assert reload(early).moved_from_manager_id == boss.pk  # the same manager it has now: no change
    with run():
        services.employee_update(employee=reload(early), manager_email="someone@acme.example")
    assert reload(early).moved_from_manager_id is None


def test_the_admin_is_offered_the_restore_after_reactivating_and_can_take_it(acme, acme_admin, client, run):
    top, boss, early, late = moved_team(acme, run)
    admin = signed_in(client, acme_admin)
    detail = reverse("employees:detail", args=[boss.pk])
    assert "Reports moved away" not in admin.get(detail).content.decode()  # not while deactivated

    admin.post(reverse("employees:status", args=[boss.pk]), {"action": "reactivate"})
    page = admin.get(detail).content.decode()
    assert "Reports moved away" in page
    assert f'value="{early.pk}"' in page and f'value="{late.pk}"' in page

    response = admin.post(
        reverse("employees:restore-reports", args=[boss.pk]), {"action": "restore", "report": [early.pk]}
    )
    assert response.status_code == 302
    assert reload(early).manager_id == boss.pk
    assert reload(late).manager_id == top.pk and reload(late).moved_from_manager_id == boss.pk

    admin.post(reverse("employees:restore-reports", args=[boss.pk]), {"action": "keep"})
    assert reload(late).manager_id == top.pk and reload(late).moved_from_manager_id is None
    assert "Reports moved away" not in admin.get(detail).content.decode()


def test_restore_is_for_admins_of_the_same_organization_only(
    acme, acme_employee, outsider_admin, client, run
):
    _, boss, early, _ = moved_team(acme, run)
    services.employee_reactivate(employee=reload(boss))
    url = reverse("employees:restore-reports", args=[boss.pk])
    body = {"action": "restore", "report": [early.pk]}

    assert signed_in(client, acme_employee).post(url, body).status_code == 403
    assert signed_in(client, outsider_admin).post(url, body).status_code == 404
    assert reload(early).moved_from_manager_id == boss.pk


def test_restore_with_nothing_chosen_or_garbage_changes_nothing(acme, acme_admin, client, run):
    _, boss, early, _ = moved_team(acme, run)
    services.employee_reactivate(employee=reload(boss))
    admin = signed_in(client, acme_admin)
    url = reverse("employees:restore-reports", args=[boss.pk])
    for body in ({"action": "restore"}, {"action": "restore", "report": ["x", "-1"]}):
        assert admin.post(url, body).status_code == 302
    assert admin.get(url).status_code == 405
    assert reload(early).moved_from_manager_id == boss.pk
