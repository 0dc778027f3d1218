"""The deactivation brake with its defaults: a burst from one connection past the threshold is held,
the identity provider never sees an error, and admins apply or keep the held people."""

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from conftest import signed_in
from employees import services
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from integrations import held
from integrations import services as integration_services
from integrations.models import Connection, GuardDecision, ProvisionedDeactivation
from integrations.tests.conftest import ScimClient

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
REACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]}
PASSWORD = "pw-Person-123"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
State = ProvisionedDeactivation.State


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Celery tasks run in-process, as without Redis: the email and the deactivation run are
    executed by Celery itself here, whichever broker the suite uses."""
    from engagedly_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def staff_100(acme, acme_admin, scim):
    """An organization of 100 (the admin and 99 people with sign-in), all provisioned by `scim`."""
    people = [
        services.employee_create(
            organization=acme, email=f"p{n:02d}@acme.example", first_name=f"P{n:02d}", password=PASSWORD
        )
        for n in range(99)
    ]
    for employee in [acme_admin, *people]:
        integration_services.employee_provisioned_by(employee=employee, connection=scim.connection)
    return people


def admin_web(acme_admin) -> Client:
    return signed_in(Client(), acme_admin)


def deactivate_burst(scim, people, django_capture_on_commit_callbacks):
    """Okta's catalog PATCH for each person, one after another; the tasks run as in a worker."""
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for employee in people:
            answers.append(scim.patch(f"/Users/{employee.pk}", DEACTIVATE))
    return answers


def statuses(people) -> list[str]:
    return [Employee.objects.get(pk=e.pk).status for e in people]


def test_thirty_deactivations_in_an_org_of_100_apply_10_and_hold_20(
    scim, staff_100, acme_admin, django_capture_on_commit_callbacks
):
    burst = staff_100[:30]
    answers = deactivate_burst(scim, burst, django_capture_on_commit_callbacks)

    # The identity provider gets what it asked for, every time: no error, active false.
    assert [(a.status_code, a.body["active"]) for a in answers] == [(200, False)] * 30
    assert statuses(burst) == ["deactivated"] * 10 + ["active"] * 20
    held = ProvisionedDeactivation.objects.filter(state=State.HELD)
    assert sorted(held.values_list("employee_id", flat=True)) == [e.pk for e in burst[10:]]
    assert set(held.values_list("reason", flat=True)) == {"threshold"}
    assert held.first().request == f"PATCH /Users/{burst[10].pk}"
    assert Connection.objects.get(pk=scim.connection.pk).brake_tripped_at is not None

    # Held people keep working: they sign in; their resources answer as the IdP set them.
    for employee in burst[10:]:
        assert (
            authenticate(RequestFactory().post("/login/"), username=employee.email, password=PASSWORD)
            is not None
        )
        resource = scim.get(f"/Users/{employee.pk}").body
        assert resource["active"] is False
    found = scim.get(f'/Users?filter=userName eq "{burst[15].email}"').body["Resources"]
    assert [r["active"] for r in found] == [False]
    listed = scim.get("/Users?filter=active eq false&count=100").body
    assert listed["totalResults"] == 30
    # The applied ten cannot sign in.
    assert authenticate(RequestFactory().post("/login/"), username=burst[0].email, password=PASSWORD) is None

    # Apply on all: the twenty go through the normal pipeline (sign-in blocked, effects applied).
    web = admin_web(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        url = reverse("integrations:held-decide", args=[scim.connection.pk])
        response = web.post(url, {"action": "apply", "scope": "all"})
    assert response.status_code == 302
    assert statuses(burst) == ["deactivated"] * 30
    for employee in burst[10:]:
        employee.refresh_from_db()
        assert employee.deactivation_applied_at is not None and not employee.user.is_active
        assert scim.get(f"/Users/{employee.pk}").body["active"] is False
    assert not ProvisionedDeactivation.objects.filter(state=State.HELD).exists()
    decision = GuardDecision.objects.get(action=GuardDecision.Action.APPLY)
    assert (decision.actor, decision.count) == (acme_admin.user, 20)
    assert decision.connection_id == scim.connection.pk
    # The organization's audit trail has it too, by name.
    audited = AuditEvent.objects.get(organization=acme_admin.organization, action="brake.applied")
    assert (audited.actor_email, audited.after, audited.action_label) == (
        acme_admin.email,
        {"people": 20},
        "Applied held deactivations",
    )
    # Deciding on everything held resets the brake: the next deactivation counts afresh.
    assert Connection.objects.get(pk=scim.connection.pk).brake_tripped_at is None


def test_second_run_keep_active_leaves_them_active_and_says_so_to_the_idp(
    scim, staff_100, acme_admin, django_capture_on_commit_callbacks
):
    burst = staff_100[:30]
    deactivate_burst(scim, burst, django_capture_on_commit_callbacks)
    versions = {e.pk: scim.get(f"/Users/{e.pk}").body["meta"]["version"] for e in burst[10:]}

    response = admin_web(acme_admin).post(
        reverse("integrations:held-decide", args=[scim.connection.pk]), {"action": "keep", "scope": "all"}
    )
    assert response.status_code == 302
    assert statuses(burst[10:]) == ["active"] * 20
    for employee in burst[10:]:
        resource = scim.get(f"/Users/{employee.pk}").body
        # An IdP import now shows the difference, under a new version.
        assert resource["active"] is True and resource["meta"]["version"] != versions[employee.pk]
        assert (
            authenticate(RequestFactory().post("/login/"), username=employee.email, password=PASSWORD)
            is not None
        )
    kept = GuardDecision.objects.get(action=GuardDecision.Action.KEEP)
    assert (kept.actor, kept.count) == (acme_admin.user, 20)


def test_apply_a_selection_and_keep_the_rest(scim, staff_100, acme_admin, django_capture_on_commit_callbacks):
    burst = staff_100[:13]
    deactivate_burst(scim, burst, django_capture_on_commit_callbacks)
    held = list(ProvisionedDeactivation.objects.filter(state=State.HELD).order_by("pk"))
    assert len(held) == 3
    web = admin_web(acme_admin)
    url = reverse("integrations:held-decide", args=[scim.connection.pk])
    web.post(url, {"action": "apply", "held": [held[0].pk, held[2].pk]})
    assert Connection.objects.get(pk=scim.connection.pk).brake_tripped_at is not None  # one still held
    web.post(url, {"action": "keep", "held": [held[1].pk]})
    assert statuses(burst[10:]) == ["deactivated", "active", "deactivated"]
    assert list(GuardDecision.objects.order_by("pk").values_list("action", "count")) == [
        ("apply", 2),
        ("keep", 1),
    ]
    # Nothing ticked is an error message, not a decision.
    response = web.post(url, {"action": "apply"}, follow=True)
    assert b"Tick the people" in response.content


def test_a_held_delete_hides_the_user_from_the_idp_and_keep_active_shows_it_again(
    scim, staff_100, acme_admin, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:10], django_capture_on_commit_callbacks)
    target = staff_100[10]
    assert scim.delete(f"/Users/{target.pk}").status_code == 204
    assert scim.get(f"/Users/{target.pk}").status_code == 404  # as the IdP expects after a DELETE
    assert Employee.objects.get(pk=target.pk).status == "active"
    held.held_keep(connection=scim.connection, ids=None, actor=acme_admin.user)
    assert scim.get(f"/Users/{target.pk}").body["active"] is True


def test_reactivation_from_the_idp_releases_the_held_deactivation(
    scim, staff_100, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:11], django_capture_on_commit_callbacks)
    held = staff_100[10]
    assert scim.patch(f"/Users/{held.pk}", REACTIVATE).body["active"] is True
    record = ProvisionedDeactivation.objects.get(employee=held)
    assert (record.state, record.decided_by) == (State.RELEASED, None)
    assert GuardDecision.objects.get(action=GuardDecision.Action.PROVIDER_RELEASE).count == 1
    # The brake stays tripped until an admin acts: the next one is held too.
    scim.patch(f"/Users/{staff_100[11].pk}", DEACTIVATE)
    assert Employee.objects.get(pk=staff_100[11].pk).status == "active"


def test_a_repeated_deactivation_of_a_held_person_changes_nothing(
    scim, staff_100, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:11], django_capture_on_commit_callbacks)
    held = staff_100[10]
    first = scim.get(f"/Users/{held.pk}").body
    # Okta's wizard apps PUT back what they read (active false) with a profile change.
    again = scim.put(f"/Users/{held.pk}", {**first, "title": "Lead"}).body
    assert (again["active"], again["title"]) == (False, "Lead")
    assert ProvisionedDeactivation.objects.filter(employee=held).count() == 1
    # A PUT that leaves `active` out keeps what the IdP reads, too.
    body = {key: value for key, value in again.items() if key != "active"}
    assert scim.put(f"/Users/{held.pk}", body).body["active"] is False


def test_a_held_deactivation_answers_a_new_version_in_one_write(
    scim, staff_100, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:11], django_capture_on_commit_callbacks)  # the 11th trips the brake
    person = staff_100[11]
    version = Employee.objects.get(pk=person.pk).version
    statements = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)
    ):
        answer = scim.patch(f"/Users/{person.pk}", DEACTIVATE)
    stored = Employee.objects.get(pk=person.pk)
    # Held: active here, `active: false` to the provider, under a version written once.
    assert (answer.status_code, answer.body["active"], stored.status) == (200, False, "active")
    assert stored.version == version + 1
    assert answer.body["meta"]["version"] == scim.get(f"/Users/{person.pk}").body["meta"]["version"]
    of_the_person = [sql.split()[0] for sql in statements if "employees_employee" in sql]
    assert of_the_person == ["SELECT", "UPDATE"]  # the locked read and one write


def test_email_to_integration_admins_names_the_connection_the_count_and_the_link(
    scim, staff_100, acme, django_capture_on_commit_callbacks
):
    EmployeeFactory(organization=acme, email="it@acme.example", can_manage_integrations=True)
    EmployeeFactory(organization=acme, email="nobody@acme.example")
    # The task runs once the trip commits; here after the whole burst, as the queue delays it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for employee in staff_100[:30]:
            scim.patch(f"/Users/{employee.pk}", DEACTIVATE)
    mail.outbox.clear()
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == ["admin@acme.example", "it@acme.example"]
    message = mail.outbox[0]
    link = f"http://testserver/settings/integrations/connections/{scim.connection.pk}/#held"
    assert "20 deactivations from Okta held" in message.subject
    assert "“Okta”" in message.body and "20 deactivations" in message.body and link in message.body


def test_banner_on_every_settings_page_for_integration_admins(
    scim, staff_100, acme_admin, acme, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:12], django_capture_on_commit_callbacks)
    web = admin_web(acme_admin)
    for url in (
        reverse("settings:general"),
        reverse("integrations:index"),
        reverse("integrations:okta"),
        reverse("integrations:connection", args=[scim.connection.pk]),
    ):
        page = web.get(url).content.decode()
        assert "2 deactivations from Okta are held for your decision." in page, url
    detail = web.get(reverse("integrations:connection", args=[scim.connection.pk])).content.decode()
    assert staff_100[10].email in detail and f"PATCH /Users/{staff_100[10].pk}" in detail
    assert "fix the assignment in Okta" in detail
    # Not on other pages, and never for people without the integration permission.
    assert "held for your decision" not in web.get(reverse("employees:directory")).content.decode()
    plain = signed_in(Client(), staff_100[50])
    assert "held for your decision" not in plain.get(reverse("employees:directory")).content.decode()


def test_brake_settings_are_editable_and_recorded(scim, staff_100, acme_admin, acme):
    web = admin_web(acme_admin)
    settings = {"enabled": "on", "threshold": "2", "window_minutes": "5"}
    response = web.post(reverse("integrations:brake"), settings)
    assert response.status_code == 302
    for employee in staff_100[:3]:
        scim.patch(f"/Users/{employee.pk}", DEACTIVATE)
    assert statuses(staff_100[:3]) == ["deactivated", "deactivated", "active"]
    changed = GuardDecision.objects.get(action=GuardDecision.Action.BRAKE_SETTINGS)
    assert (changed.actor, changed.detail) == (acme_admin.user, "On, threshold 2, 5 minutes.")

    web.post(reverse("integrations:brake"), {"window_minutes": "60"})  # off
    held.held_keep(connection=scim.connection, ids=None, actor=acme_admin.user)
    for employee in staff_100[3:20]:
        scim.patch(f"/Users/{employee.pk}", DEACTIVATE)
    assert statuses(staff_100[3:20]) == ["deactivated"] * 17

    response = web.post(reverse("integrations:brake"), {"threshold": "0", "window_minutes": "x"}, follow=True)
    assert b"The brake was not saved" in response.content


def test_another_connection_counts_its_own_deactivations(
    client, scim, staff_100, acme, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:10], django_capture_on_commit_callbacks)
    created = integration_services.connection_create(organization=acme, name="Entra")
    entra = ScimClient(client, created.connection, created.plaintext_token)
    people = [entra.post("/Users", {"schemas": [CORE], "userName": f"e{n}@x.io"}) for n in range(3)]
    for person in people:
        assert entra.patch(f"/Users/{person.body['id']}", DEACTIVATE).body["active"] is False
    assert [Employee.objects.get(pk=p.body["id"]).status for p in people] == ["deactivated"] * 3


def test_deleting_the_connection_keeps_its_held_people_active(
    client, scim, staff_100, acme, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:12], django_capture_on_commit_callbacks)
    integration_services.connection_delete(connection=scim.connection)
    assert not ProvisionedDeactivation.objects.filter(state=State.HELD).exists()
    created = integration_services.connection_create(organization=acme, name="Okta again")
    again = ScimClient(client, created.connection, created.plaintext_token)
    assert [again.get(f"/Users/{e.pk}").body["active"] for e in staff_100[10:12]] == [True, True]


def test_held_people_keep_their_sessions(scim, staff_100, django_capture_on_commit_callbacks):
    held, applied = staff_100[10], staff_100[0]
    sessions = {}
    for employee in (held, applied):
        web = Client()
        assert (
            web.post(reverse("login"), {"username": employee.email, "password": PASSWORD}).status_code == 302
        )
        sessions[employee.pk] = web
    deactivate_burst(scim, staff_100[:11], django_capture_on_commit_callbacks)
    assert sessions[held.pk].get(reverse("employees:directory")).status_code == 200
    assert sessions[applied.pk].get(reverse("employees:directory")).status_code == 302


def test_support_staff_see_holds_and_decisions_read_only(
    scim, staff_100, acme_admin, django_capture_on_commit_callbacks
):
    deactivate_burst(scim, staff_100[:11], django_capture_on_commit_callbacks)
    held.held_keep(connection=scim.connection, ids=None, actor=acme_admin.user)
    acme_admin.user.is_staff = acme_admin.user.is_superuser = True
    acme_admin.user.save()
    web = admin_web(acme_admin)
    for model in ("provisioneddeactivation", "guarddecision", "deactivationbrake"):
        assert web.get(reverse(f"admin:integrations_{model}_changelist")).status_code == 200
    assert web.get(reverse("admin:integrations_provisioneddeactivation_add")).status_code == 403
