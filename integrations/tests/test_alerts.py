"""Defect 6: alert emails (locmem backend): when a connection starts failing, deactivations are
held, manager links stay unresolved for a day, a token is about to expire; the weekly digest; at
most one email per condition per connection per hour; opt-out per person."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import signed_in
from employees.models import Employee
from employees.tests.factories import EmployeeFactory
from engagedly_portal.celery import app
from integrations import alerts, tasks
from integrations.models import AlertPreference, ConnectionToken, ProvisionedEmployee
from integrations.tests.settings_helpers import make_connection, record_request

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def connection(acme, acme_admin):
    return make_connection(acme, name="Okta production").connection


def fail(connection, times: int = 3, ago: datetime.timedelta = MINUTE):
    for _ in range(times):
        record_request(connection, status_code=401, ago=ago)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_failing_connection_emails_each_integration_admin_once(
    acme, acme_admin, acme_employee, connection, outsider_admin
):
    manager = EmployeeFactory(organization=acme, email="it@acme.example", can_manage_integrations=True)
    gone = EmployeeFactory(organization=acme, email="gone@acme.example", is_org_admin=True)
    Employee.objects.filter(pk=gone.pk).update(status=Employee.Status.DEACTIVATED)
    record_request(connection, status_code=200, ago=HOUR)
    fail(connection, 12)
    assert alerts.check_organization_alerts(organization=acme) == 2
    assert recipients() == sorted([acme_admin.email, manager.email])
    message = mail.outbox[0]
    assert message.subject == "[Engagedly] “Okta production” is failing"
    assert "12 × 401 invalid token since" in message.body
    assert reverse("integrations:connection", args=[connection.pk]) in message.body
    assert len(message.to) == 1  # nobody sees the other recipients


def test_one_alert_per_condition_per_connection_per_hour(acme, acme_admin, connection):
    now = timezone.now()
    fail(connection)
    assert alerts.check_connection_failing(organization=acme, now=now) == 1
    # Still failing five minutes later: the same episode, no second email.
    assert alerts.check_connection_failing(organization=acme, now=now + 5 * MINUTE) == 0
    # It recovers, then fails again within the hour: still no second email.
    record_request(connection, status_code=200)
    assert alerts.check_connection_failing(organization=acme, now=now + 10 * MINUTE) == 0
    fail(connection, ago=datetime.timedelta(0))
    assert alerts.check_connection_failing(organization=acme, now=now + 20 * MINUTE) == 0
    # An hour after the first alert, the new episode is emailed.
    assert alerts.check_connection_failing(organization=acme, now=now + 61 * MINUTE) == 1
    assert len(mail.outbox) == 2


def test_each_connection_has_its_own_hourly_allowance(acme, acme_admin, connection):
    other = make_connection(acme, name="Entra").connection
    fail(connection)
    fail(other)
    assert alerts.check_connection_failing(organization=acme) == 2


def test_an_admin_who_opted_out_gets_no_alerts_but_still_the_digest(acme, acme_admin, connection):
    AlertPreference.objects.create(employee=acme_admin, alerts=False, digest=True)
    fail(connection)
    assert alerts.check_connection_failing(organization=acme) == 0
    assert alerts.send_digest(organization=acme) == 1


def test_held_deactivations_are_emailed_at_most_hourly(acme, acme_admin, connection):
    now = timezone.now()
    assert alerts.alert_brake_held(connection=connection, held=40, now=now) == 1
    assert "40 deactivation(s) are held" in mail.outbox[0].body
    assert alerts.alert_brake_held(connection=connection, held=45, now=now + 30 * MINUTE) == 0
    assert alerts.alert_brake_held(connection=connection, held=50, now=now + 61 * MINUTE) == 1


def test_manager_links_unresolved_for_a_day(acme, acme_admin, connection):
    report = EmployeeFactory(organization=acme, first_name="Rae")
    ProvisionedEmployee.objects.create(employee=report, connection=connection)
    Employee.objects.filter(pk=report.pk).update(
        manager_email="nobody@acme.example",
        manager_link=Employee.ManagerLink.PENDING,
        manager_link_pending_since=timezone.now() - datetime.timedelta(hours=2),
    )
    assert alerts.check_manager_links(organization=acme) == 0  # two hours: not yet
    Employee.objects.filter(pk=report.pk).update(
        manager_link_pending_since=timezone.now() - datetime.timedelta(hours=25)
    )
    assert alerts.check_manager_links(organization=acme) == 1
    assert "1 employee(s) provisioned by “Okta production”" in mail.outbox[0].body
    assert alerts.check_manager_links(organization=acme) == 0


def test_token_expiry_reminder_a_week_before_once(acme, acme_admin, connection):
    token = connection.tokens.get()
    ConnectionToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=10)
    )
    assert alerts.check_token_expiry(organization=acme) == 0
    ConnectionToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=6))
    assert alerts.check_token_expiry(organization=acme) == 1
    assert str(token) in mail.outbox[0].body
    assert alerts.check_token_expiry(organization=acme) == 0


def test_weekly_digest_once_a_week(acme, acme_admin, connection):
    now = timezone.now()
    record_request(connection, status_code=201, operation="create")
    assert alerts.send_digest(organization=acme, now=now) == 1
    assert "Okta production: Connected. 1 created" in mail.outbox[0].body
    assert alerts.send_digest(organization=acme, now=now + datetime.timedelta(days=1)) == 0
    assert alerts.send_digest(organization=acme, now=now + datetime.timedelta(days=7)) == 1


def test_a_failed_send_leaves_the_alert_for_the_next_check(acme, acme_admin, connection, settings):
    settings.EMAIL_BACKEND = "integrations.tests.test_alerts.BrokenBackend"
    fail(connection)
    with pytest.raises(ConnectionRefusedError):
        alerts.check_connection_failing(organization=acme)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts.check_connection_failing(organization=acme) == 1


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def test_beat_task_checks_every_organization_with_a_connection(
    acme, acme_admin, connection, outsider_org, monkeypatch
):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    fail(connection)
    make_connection(outsider_org)  # Globex has a connection too, working: no email for it
    assert tasks.check_alerts.apply().get() == 2
    assert recipients() == [acme_admin.email]


def test_preferences_page_opts_a_person_out_and_is_audited(admin_client, acme_admin):
    url = reverse("integrations:alert-preferences")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"digest": "on"})
    assert response.status_code == 302
    preference = AlertPreference.objects.get(employee=acme_admin)
    assert (preference.alerts, preference.digest) == (False, True)
    event = AuditEvent.objects.get(action="alerts.preference_changed")
    assert (event.before, event.after) == (
        {"alerts": True, "digest": True},
        {"alerts": False, "digest": True},
    )


def test_preferences_page_is_for_integration_admins_only(client, acme_employee):
    signed_in(client, acme_employee)
    assert client.get(reverse("integrations:alert-preferences")).status_code == 403
