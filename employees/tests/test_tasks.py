"""Background services and tasks, run in-process: what is enqueued, and what each task does."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from employees import services, tasks
from employees.models import Employee, Organization, UserSession
from employees.tests.factories import EmployeeFactory
from engagedly_portal.optional_redis import Write, marks_write
from integrations.models import ProvisionedEmployee, ScimRequest
from integrations.services import connection_create

User = get_user_model()


@pytest.fixture
def published(monkeypatch):
    """Record every task published after commit, and run it in-process as a worker would."""
    sent: list[tuple[str, int]] = []

    def publish(task, object_id, **options):
        sent.append((task.name.rsplit(".", 1)[-1], object_id))
        task.apply(args=[object_id], throw=True)
        return True

    monkeypatch.setattr(tasks, "_publish", publish)
    return sent


def make(org, email, manager_email="", **kwargs):
    return EmployeeFactory(organization=org, email=email, manager_email=manager_email, **kwargs)


def reload(employee):
    return Employee.objects.get(pk=employee.pk)


def test_creating_an_employee_enqueues_link_resolution_on_commit(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        employee = make(acme, "r@acme.example", manager_email="boss@acme.example")
    assert reload(employee).manager_link == Employee.ManagerLink.PENDING
    # One link resolution; integrations add their own callbacks (the SCIM roster generation).
    link_runs = [c for c in callbacks if c.__qualname__.startswith("_enqueue_manager_links_on_commit")]
    assert len(link_runs) == 1


def test_manager_created_first_is_linked(acme, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        boss = make(acme, "boss@acme.example")
        report = make(acme, "r@acme.example", manager_email="BOSS@Acme.example")
    report = reload(report)
    assert report.manager_id == boss.pk
    assert report.manager_link == Employee.ManagerLink.RESOLVED
    assert report.manager_link_pending_since is None


def test_report_created_first_waits_then_links_when_the_manager_arrives(
    acme, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = make(acme, "r@acme.example", manager_email="boss@acme.example")
    assert reload(report).manager_link == Employee.ManagerLink.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        boss = make(acme, "Boss@acme.example")
    report = reload(report)
    assert (report.manager_id, report.manager_link) == (boss.pk, Employee.ManagerLink.RESOLVED)


def test_a_manager_whose_email_changes_to_the_awaited_one_gets_linked(
    acme, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = make(acme, "r@acme.example", manager_email="new.boss@acme.example")
        boss = make(acme, "old.boss@acme.example")
        services.employee_update(employee=boss, email="new.boss@acme.example")
    assert reload(report).manager_id == boss.pk


def test_manager_of_another_organization_is_never_linked(
    acme, outsider_org, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make(outsider_org, "boss@acme.example")
        report = make(acme, "r@acme.example", manager_email="boss@acme.example")
    report = reload(report)
    assert (report.manager_id, report.manager_link) == (None, Employee.ManagerLink.PENDING)


def test_self_reference_is_unresolved_with_a_logged_reason(
    acme, published, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        employee = make(acme, "me@acme.example", manager_email="ME@acme.example")
    employee = reload(employee)
    assert employee.manager_link == Employee.ManagerLink.UNRESOLVED
    assert employee.manager_id is None
    assert "own manager" in employee.manager_link_error
    assert "own manager" in caplog.text


def test_a_cycle_is_unresolved_and_the_existing_link_stays(
    acme, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make(acme, "a@acme.example")
        b = make(acme, "b@acme.example", manager_email="a@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=reload(a), manager_email="b@acme.example")
    a, b = reload(a), reload(b)
    assert (b.manager_id, b.manager_link) == (a.pk, Employee.ManagerLink.RESOLVED)
    assert a.manager_link == Employee.ManagerLink.UNRESOLVED
    assert "cycle" in a.manager_link_error


def test_a_cycle_broken_by_a_later_change_clears_itself(
    acme, published, django_capture_on_commit_callbacks, caplog
):
    """A refused link is checked again when a change elsewhere may make it valid: the identity
    provider does not send an unchanged employee again."""
    with django_capture_on_commit_callbacks(execute=True):
        a = make(acme, "a@acme.example")
        b = make(acme, "b@acme.example", manager_email="a@acme.example")
        c = make(acme, "c@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=reload(a), manager_email="b@acme.example")
    assert reload(a).manager_link == Employee.ManagerLink.UNRESOLVED

    # B moves to C: A -> B is no cycle any more (A -> B -> C).
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=reload(b), manager_email="c@acme.example")
    a, b = reload(a), reload(b)
    assert (b.manager_id, b.manager_link) == (c.pk, Employee.ManagerLink.RESOLVED)
    assert (a.manager_id, a.manager_link, a.manager_link_error) == (b.pk, Employee.ManagerLink.RESOLVED, "")


def test_a_link_refused_again_for_the_same_reason_is_left_as_it_was(
    acme, published, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        own = make(acme, "own@acme.example", manager_email="own@acme.example")
    refused_at = reload(own).updated_at
    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make(acme, "newcomer@acme.example")  # a new employee: a run that checks own@ again
    own = reload(own)
    assert (own.manager_link, own.updated_at) == (Employee.ManagerLink.UNRESOLVED, refused_at)
    assert "own manager" not in caplog.text  # not logged again


def test_manager_change_and_removal_update_the_link(acme, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make(acme, "first@acme.example")
        report = make(acme, "r@acme.example", manager_email="first@acme.example")
        services.employee_update(employee=reload(report), manager_email="second@acme.example")
    report = reload(report)
    assert (report.manager_id, report.manager_link) == (None, Employee.ManagerLink.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        second = make(acme, "second@acme.example")
    assert reload(report).manager_id == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=reload(report), manager_email="")
    report = reload(report)
    assert (report.manager_id, report.manager_link, report.manager_email) == (None, "none", "")
    assert first.pk != second.pk


def test_resending_the_same_manager_enqueues_nothing(acme, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make(acme, "boss@acme.example")
        report = make(acme, "r@acme.example", manager_email="boss@acme.example")
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=reload(report), manager_email="Boss@Acme.example", job_title="Lead")
    assert published == []
    assert reload(report).manager_link == Employee.ManagerLink.RESOLVED


def test_a_whole_organization_is_linked_with_a_fixed_number_of_queries(
    acme, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks():  # no run yet: every link waits
        reports = [
            make(acme, f"r{n}@acme.example", manager_email=f"Boss{n % 3}@acme.example") for n in range(12)
        ]
        bosses = [make(acme, f"boss{n}@acme.example") for n in range(3)]
        orphan = make(acme, "orphan@acme.example", manager_email="nobody@acme.example")
    versions = {e.pk: reload(e).version for e in reports}
    # Lock, one batch of links, their managers, the graph, the links to decide locked, one UPDATE
    # (and the savepoint's two): independent of the row count.
    with django_assert_max_num_queries(8):
        outcome = services.organization_resolve_manager_links(organization_id=acme.pk)
    assert (outcome.resolved, outcome.refused, outcome.more) == (12, 0, False)
    for n, report in enumerate(reports):
        report = reload(report)
        assert (report.manager_id, report.manager_link) == (bosses[n % 3].pk, Employee.ManagerLink.RESOLVED)
        assert report.version == versions[report.pk], "the SCIM ETag must not change"
    assert reload(orphan).manager_link == Employee.ManagerLink.PENDING
    again = services.organization_resolve_manager_links(organization_id=acme.pk)
    assert (again.resolved, again.refused) == (0, 0)


def test_links_that_together_close_a_cycle_are_caught_within_one_run(
    acme, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks():
        a = make(acme, "a@acme.example", manager_email="b@acme.example")
        b = make(acme, "b@acme.example", manager_email="c@acme.example")
        c = make(acme, "c@acme.example", manager_email="a@acme.example")
    with caplog.at_level(logging.WARNING):
        outcome = services.organization_resolve_manager_links(organization_id=acme.pk)
    assert (outcome.resolved, outcome.refused) == (2, 1)
    a, b, c = reload(a), reload(b), reload(c)
    assert (a.manager_id, b.manager_id) == (b.pk, c.pk)
    assert (c.manager_id, c.manager_link) == (None, Employee.ManagerLink.UNRESOLVED)
    assert "cycle" in c.manager_link_error and "cycle" in caplog.text


def test_a_cycle_through_a_long_existing_chain_is_refused(acme, django_capture_on_commit_callbacks):
    # top <- e1 <- e2 <- ... <- e40, all resolved; then top asks for e40 as its manager, and e41
    # (a new leaf) asks for e40 too. Only the chain above e40 is read, and it reaches top.
    with django_capture_on_commit_callbacks(execute=False):
        chain = [make(acme, "top@acme.example")]
    for n in range(1, 41):
        chain.append(make(acme, f"e{n}@acme.example"))
    for lower, upper in zip(chain[1:], chain[:-1], strict=True):
        Employee.objects.filter(pk=lower.pk).update(manager=upper, manager_link=Employee.ManagerLink.RESOLVED)
    with django_capture_on_commit_callbacks():
        services.employee_update(employee=reload(chain[0]), manager_email="e40@acme.example")
        leaf = make(acme, "e41@acme.example", manager_email="e40@acme.example")
    outcome = services.organization_resolve_manager_links(organization_id=acme.pk)
    assert (outcome.resolved, outcome.refused) == (1, 1)
    top = reload(chain[0])
    assert (top.manager_id, top.manager_link) == (None, Employee.ManagerLink.UNRESOLVED)
    assert "cycle" in top.manager_link_error
    assert reload(leaf).manager_id == chain[-1].pk


def test_another_organizations_chart_plays_no_part_in_the_cycle_check(
    acme, django_capture_on_commit_callbacks
):
    globex = Organization.objects.create(name="Globex", slug="globex")
    # Globex has a - b (b reports to a) under the same emails Acme uses; in Acme, b asks for a.
    ga, gb = make(globex, "a@acme.example"), make(globex, "b@acme.example")
    Employee.objects.filter(pk=ga.pk).update(manager=gb, manager_link=Employee.ManagerLink.RESOLVED)
    with django_capture_on_commit_callbacks():
        a = make(acme, "a@acme.example")
        b = make(acme, "b@acme.example", manager_email="a@acme.example")
    outcome = services.organization_resolve_manager_links(organization_id=acme.pk)
    assert (outcome.resolved, outcome.refused) == (1, 0)
    assert reload(b).manager_id == a.pk
    assert reload(ga).manager_id == gb.pk


def test_a_run_stops_at_its_bound_and_queues_the_next(
    acme, published, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks():
        boss = make(acme, "boss@acme.example")
        reports = [make(acme, f"r{n}@acme.example", manager_email="boss@acme.example") for n in range(5)]
    monkeypatch.setattr(services.managers, "MANAGER_LINKS_BATCH", 2)
    monkeypatch.setattr(services.managers, "MANAGER_LINKS_PER_RUN", 2)

    tasks.resolve_organization_links.apply(args=[acme.pk], throw=True)

    # 2 + 2 + 1: the first two runs reached the bound and each queued the next.
    assert published == [("resolve_organization_links", acme.pk)] * 2
    assert all(reload(report).manager_id == boss.pk for report in reports)


@pytest.fixture
def queued(acme, settings, monkeypatch):
    """Enqueues as with a broker (coalesced through run marks); records what would be published."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for kind in ("links", "deactivations"):  # organization ids repeat across tests
        marks_write(Write("delete", tasks._run_key(kind, acme.pk)))
    sent: list[tuple[str, int, dict]] = []
    outcome = {"ok": True}

    def publish(task, object_id, **options):
        sent.append((task.name.rsplit(".", 1)[-1], object_id, options))
        return outcome["ok"]

    monkeypatch.setattr(tasks, "_publish", publish)
    return sent, outcome


def test_a_burst_of_writes_queues_one_run_until_that_run_starts(
    acme, queued, django_capture_on_commit_callbacks
):
    sent, _ = queued
    with django_capture_on_commit_callbacks(execute=True):
        boss = make(acme, "boss@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        report = make(acme, "r@acme.example", manager_email="boss@acme.example")
    assert sent == [("resolve_organization_links", acme.pk, {"countdown": tasks.LINKS_RUN_COUNTDOWN})]
    # The run clears the mark before reading, so a write committed during the run queues another.
    tasks.resolve_organization_links.apply(args=[acme.pk], throw=True)
    assert reload(report).manager_id == boss.pk
    with django_capture_on_commit_callbacks(execute=True):
        make(acme, "late@acme.example", manager_email="boss@acme.example")
    assert len(sent) == 2


def test_a_run_that_could_not_be_queued_does_not_block_the_next_write(
    acme, queued, django_capture_on_commit_callbacks
):
    sent, outcome = queued
    outcome["ok"] = False  # broker down
    with django_capture_on_commit_callbacks(execute=True):
        make(acme, "boss@acme.example")
    outcome["ok"] = True
    with django_capture_on_commit_callbacks(execute=True):
        make(acme, "r@acme.example", manager_email="boss@acme.example")
    assert [organization_id for _, organization_id, _ in sent] == [acme.pk, acme.pk]


def test_a_burst_of_deactivations_queues_one_run_that_applies_them_all(
    acme, queued, django_capture_on_commit_callbacks
):
    sent, _ = queued
    leavers = [make(acme, f"l{n}@acme.example") for n in range(4)]
    for leaver in leavers[:3]:
        with django_capture_on_commit_callbacks(execute=True):
            services.employee_deactivate(employee=leaver)
    assert sent == [
        ("apply_organization_deactivations", acme.pk, {"countdown": tasks.DEACTIVATIONS_RUN_COUNTDOWN})
    ]
    assert tasks.apply_organization_deactivations.apply(args=[acme.pk], throw=True).get() == 3
    assert all(reload(leaver).deactivation_applied_at is not None for leaver in leavers[:3])
    # The run cleared its mark before reading: a deactivation after it queues a fresh run.
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_deactivate(employee=leavers[3])
    assert len(sent) == 2


@pytest.fixture
def signed_in_twice(acme):
    employee = make(acme, "leaver@acme.example", password="pw-Leaver-123")
    from django.test import Client

    clients = [Client(), Client()]
    for client in clients:
        client.post(reverse("login"), {"username": "leaver@acme.example", "password": "pw-Leaver-123"})
    return employee, clients


def test_deactivation_ends_every_session_blocks_sign_in_and_records_activity(
    acme, signed_in_twice, published, django_capture_on_commit_callbacks
):
    employee, clients = signed_in_twice
    bystander = make(acme, "stays@acme.example", password="pw-Stays-123")
    from django.test import Client

    Client().post(reverse("login"), {"username": "stays@acme.example", "password": "pw-Stays-123"})
    connection = connection_create(organization=acme, name="Okta").connection
    ProvisionedEmployee.objects.create(employee=employee, connection=connection)
    assert UserSession.objects.filter(user_id=employee.user_id).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.employee_deactivate(employee=reload(employee), reason="left")

    assert published == [("apply_organization_deactivations", acme.pk)]
    assert reload(employee).deactivation_applied_at is not None
    assert not User.objects.get(pk=employee.user_id).is_active
    assert not UserSession.objects.filter(user_id=employee.user_id).exists()
    assert UserSession.objects.filter(user_id=bystander.user_id).count() == 1
    activity = ScimRequest.objects.get(employee=employee)
    assert activity.operation == ScimRequest.Operation.BACKGROUND
    assert "2 session(s) ended" in activity.detail
    # A second delivery of the same message changes nothing.
    assert services.employee_apply_deactivation(employee_id=employee.pk) is False
    assert ScimRequest.objects.filter(employee=employee).count() == 1
    response = Client().post(
        reverse("login"), {"username": "leaver@acme.example", "password": "pw-Leaver-123"}
    )
    assert response.status_code == 200


def test_reactivation_restores_sign_in(acme, signed_in_twice, published, django_capture_on_commit_callbacks):
    employee, _ = signed_in_twice
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_deactivate(employee=reload(employee))
    services.employee_reactivate(employee=reload(employee))
    from django.test import Client

    response = Client().post(
        reverse("login"), {"username": "leaver@acme.example", "password": "pw-Leaver-123"}
    )
    assert response.status_code == 302


def test_a_stale_deactivation_message_after_reactivation_does_nothing(
    acme, django_capture_on_commit_callbacks
):
    employee = make(acme, "back@acme.example")
    with django_capture_on_commit_callbacks():  # the message is not delivered yet
        services.employee_deactivate(employee=employee)
    services.employee_reactivate(employee=reload(employee))
    assert services.employee_apply_deactivation(employee_id=employee.pk) is False
    assert User.objects.get(pk=employee.user_id).is_active


@pytest.mark.parametrize("policy", ["keep", "reassign"])
def test_direct_reports_follow_the_organization_policy(
    acme, policy, published, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=acme.pk).update(direct_reports_on_deactivation=policy)
    with django_capture_on_commit_callbacks(execute=True):
        top = make(acme, "top@acme.example")
        middle = make(acme, "middle@acme.example", manager_email="top@acme.example")
        report = make(acme, "r@acme.example", manager_email="middle@acme.example")
        services.employee_deactivate(employee=reload(middle))
    report = reload(report)
    expected = top if policy == "reassign" else middle
    assert (report.manager_id, report.manager_link) == (expected.pk, Employee.ManagerLink.RESOLVED)
    assert report.manager_email == expected.email


def test_sweep_enqueues_only_unfinished_work_older_than_the_grace_period(
    acme, outsider_org, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.BACKGROUND_SWEEP_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks():  # every message "lost"
        boss = make(acme, "boss@acme.example")
        waiting = make(acme, "r@acme.example", manager_email="boss@acme.example")
        make(acme, "orphan@acme.example", manager_email="nobody@acme.example")
        make(outsider_org, "orphan@outsider.example", manager_email="nobody@outsider.example")
        leaver = make(acme, "leaver@acme.example")
        services.employee_deactivate(employee=leaver)
        done = make(acme, "done@acme.example")
        services.employee_deactivate(employee=done)
    services.employee_apply_deactivation(employee_id=done.pk)
    sent = []
    monkeypatch.setattr(
        tasks.apply_organization_deactivations, "delay", lambda pk: sent.append(("deactivation", pk))
    )
    monkeypatch.setattr(tasks.resolve_organization_links, "delay", lambda pk: sent.append(("links", pk)))

    result = tasks.sweep_pending_work.apply().get()

    assert sorted(sent) == [("deactivation", acme.pk), ("links", acme.pk)]
    assert result == {"deactivation_organizations": 1, "manager_link_organizations": 1}
    settings.BACKGROUND_SWEEP_GRACE_SECONDS = 3600
    sent.clear()
    tasks.sweep_pending_work.apply()
    assert sent == []
    tasks.resolve_organization_links.apply(args=[acme.pk])
    assert reload(waiting).manager_id == boss.pk
    tasks.apply_organization_deactivations.apply(args=[acme.pk])
    assert reload(leaver).deactivation_applied_at is not None


def test_sweep_batches_are_bounded(acme, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.BACKGROUND_SWEEP_GRACE_SECONDS = 0
    settings.BACKGROUND_SWEEP_BATCH_SIZE = 2
    organizations = [acme, *(Organization.objects.create(name=f"Org {n}", slug=f"org-{n}") for n in range(2))]
    with django_capture_on_commit_callbacks():
        for n, organization in enumerate(organizations):
            services.employee_deactivate(employee=make(organization, f"l{n}@acme.example"))
    sent = []
    monkeypatch.setattr(tasks.apply_organization_deactivations, "delay", sent.append)
    tasks.sweep_pending_work.apply()
    assert len(sent) == 2


def test_a_failing_task_is_retried_with_backoff_then_left_to_the_sweep(
    acme, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the message is not delivered
        leaver = make(acme, "leaver@acme.example")
        services.employee_deactivate(employee=leaver)
    calls = []

    def boom(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.lifecycle, "_deactivations_apply", boom)
    # In-process, apply() runs the retries at once instead of after their backoff countdowns.
    task = tasks.apply_organization_deactivations
    result = task.apply(args=[acme.pk])
    assert result.state == "FAILURE"
    assert [call["employee_ids"] for call in calls] == [[leaver.pk]] * (1 + tasks.RETRY_POLICY["max_retries"])
    assert task.retry_backoff is True and task.acks_late is True
    assert (task.time_limit, task.soft_time_limit) == (30, 25)


def test_one_failing_deactivation_does_not_hold_back_the_others(
    acme, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks():
        leavers = [make(acme, f"l{n}@acme.example", password="pw-Leaver-123") for n in range(3)]
        for leaver in leavers:
            services.employee_deactivate(employee=leaver)
    real = services.lifecycle._direct_reports_handle

    def flaky(*, employee):
        if employee.pk == leavers[1].pk:
            raise RuntimeError("row went away")
        return real(employee=employee)

    monkeypatch.setattr(services.lifecycle, "_direct_reports_handle", flaky)
    with caplog.at_level(logging.ERROR):
        outcome = services.organization_apply_deactivations(organization_id=acme.pk)
    assert (outcome.applied, outcome.more, str(outcome.error)) == (2, False, "row went away")
    leavers = [reload(leaver) for leaver in leavers]
    assert [leaver.deactivation_applied_at is not None for leaver in leavers] == [True, False, True]
    # The failed employee's effects were rolled back with it, the others' kept.
    assert [User.objects.get(pk=leaver.user_id).is_active for leaver in leavers] == [False, True, False]
    assert f"employee {leavers[1].pk}" in caplog.text
    monkeypatch.setattr(services.lifecycle, "_direct_reports_handle", real)
    # The retry finds only the one left.
    assert services.organization_apply_deactivations(organization_id=acme.pk).applied == 1


def test_a_deactivation_run_applies_a_batch_in_a_few_statements(
    acme, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    leavers = [make(acme, f"l{n}@acme.example", password="pw-Leaver-123") for n in range(20)]
    UserSession.objects.bulk_create(
        UserSession(
            session_key=f"s{n}{k}", user_id=leaver.user_id, session_data="", expire_date=timezone.now()
        )
        for n, leaver in enumerate(leavers)
        for k in range(2)
    )
    with django_capture_on_commit_callbacks():
        for leaver in leavers:
            services.employee_deactivate(employee=leaver)
    # Policy, pending ids, then one transaction: lock and read, block sign-in, count and end the
    # sessions, mark applied (plus the savepoint statements SQLite or PostgreSQL issue).
    with django_assert_max_num_queries(10):
        outcome = services.organization_apply_deactivations(organization_id=acme.pk)
    assert outcome.applied == 20
    assert not UserSession.objects.filter(user_id__in=[leaver.user_id for leaver in leavers]).exists()
    assert not User.objects.filter(pk__in=[leaver.user_id for leaver in leavers], is_active=True).exists()


def test_a_deactivation_run_records_each_provisioned_leaver_once_in_one_statement(
    acme, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    okta = connection_create(organization=acme, name="Okta").connection
    with_sign_in = [make(acme, f"s{n}@acme.example", password="pw-Leaver-123") for n in range(6)]
    without = [  # provisioned, no portal sign-in yet
        services.employee_provision(organization=acme, email=f"n{n}@acme.example") for n in range(6)
    ]
    ProvisionedEmployee.objects.bulk_create(
        [ProvisionedEmployee(employee=e, connection=okta) for e in with_sign_in + without]
    )
    manual = make(acme, "manual@acme.example")  # not provisioned: nothing to record for a connection
    UserSession.objects.create(
        session_key="s0", user_id=with_sign_in[0].user_id, session_data="", expire_date=timezone.now()
    )
    with django_capture_on_commit_callbacks():
        for leaver in [*with_sign_in, *without, manual]:
            services.employee_deactivate(employee=reload(leaver))

    # The batch's twelve activity entries are one INSERT on top of the run's statements.
    with django_assert_max_num_queries(11):
        outcome = services.organization_apply_deactivations(organization_id=acme.pk)

    assert outcome.applied == 13
    entries = {
        entry.employee_id: entry
        for entry in ScimRequest.objects.filter(connection=okta, operation=ScimRequest.Operation.BACKGROUND)
    }
    assert set(entries) == {e.pk for e in with_sign_in + without}
    assert entries[with_sign_in[0].pk].detail == (
        "Deactivation applied: sign-in blocked, 1 session(s) ended, 0 direct report(s) reassigned."
    )
    assert "sign-in blocked, 0 session(s) ended" in entries[with_sign_in[1].pk].detail
    assert "no portal sign-in to block" in entries[without[0].pk].detail
    assert all(entry.resource_id == str(pk) and entry.method == "TASK" for pk, entry in entries.items())
    assert not ScimRequest.objects.filter(employee=manual).exists()


def test_a_deactivation_run_stops_at_its_bound_and_queues_the_next(
    acme, outsider_org, published, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks():  # messages not delivered: applied by the run below
        leavers = [make(acme, f"l{n}@acme.example") for n in range(5)]
        for leaver in leavers:
            services.employee_deactivate(employee=leaver)
        other = make(outsider_org, "other@outsider.example")
        services.employee_deactivate(employee=other)
    monkeypatch.setattr(services.lifecycle, "DEACTIVATIONS_PER_RUN", 2)

    tasks.apply_organization_deactivations.apply(args=[acme.pk], throw=True)

    # 2 + 2 + 1: the first two runs reached the bound and each queued the next.
    assert published == [("apply_organization_deactivations", acme.pk)] * 2
    assert all(reload(leaver).deactivation_applied_at is not None for leaver in leavers)
    assert reload(other).deactivation_applied_at is None, "another organization's run is its own"


def test_sessions_of_anonymous_visitors_are_kept_apart(client, db):
    client.get(reverse("login"))
    session = client.session
    session["seen"] = True
    session.save()
    assert UserSession.objects.get(session_key=session.session_key).user_id is None


def test_reactivating_a_stale_copy_after_the_task_applied_restores_sign_in(acme, published):
    employee = make(acme, "stale@acme.example")
    stale = reload(employee)
    services.employee_deactivate(employee=reload(employee))  # the task runs at once here
    stale.status = Employee.Status.DEACTIVATED  # as read before the task applied the deactivation
    services.employee_reactivate(employee=stale)
    fresh = reload(employee)
    assert fresh.status == Employee.Status.ACTIVE and fresh.deactivation_applied_at is None
    assert User.objects.get(pk=employee.user_id).is_active
    assert stale.version == fresh.version


def test_deactivating_a_stale_copy_deactivates_once(acme, django_capture_on_commit_callbacks):
    employee = make(acme, "twice@acme.example")
    stale = reload(employee)
    with django_capture_on_commit_callbacks() as first:
        services.employee_deactivate(employee=reload(employee))
    with django_capture_on_commit_callbacks() as second:
        services.employee_deactivate(employee=stale)
    assert len(first) == 1 and second == []
    assert stale.status == Employee.Status.DEACTIVATED and stale.version == reload(employee).version


def test_deactivating_a_copy_changed_elsewhere_still_deactivates(acme, django_capture_on_commit_callbacks):
    employee = make(acme, "edited@acme.example")
    stale = reload(employee)
    services.employee_update(employee=reload(employee), job_title="Lead")
    with django_capture_on_commit_callbacks() as queued:
        services.employee_deactivate(employee=stale)
    fresh = reload(employee)
    assert fresh.status == Employee.Status.DEACTIVATED and fresh.job_title == "Lead"
    assert len(queued) == 1 and stale.version == fresh.version
