"""Invitations and "Forgot password": emailed links (Django's token machinery) that set a password."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import signed_in
from employees import services
from employees.models import Employee, SignInEvent

LINK = re.compile(r"https?://[^\s\"<]+/accounts/password/set/[^\s\"<]+/")


def link_in(message) -> str:
    text_link = LINK.search(message.body).group(0)
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert text_link in html
    return urlsplit(text_link).path


def signs_in(email, password) -> bool:
    return Client().post(reverse("login"), {"username": email, "password": password}).status_code == 302


@pytest.fixture
def ava(acme):
    # As an identity provider creates people: no login account.
    return services.employee_provision(organization=acme, email="ava@acme.example", first_name="Ava")


def test_invitation_link_sets_a_password_once(ava, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.employee_invite(employee=ava, base_url="http://testserver")
    (message,) = mail.outbox
    assert message.to == ["ava@acme.example"]
    assert "Acme invited you" in message.subject
    assert "expires in 3 days" in message.body
    link = link_in(message)

    client = Client()
    assert client.get(link).status_code == 200
    response = client.post(
        link, {"new_password1": "Str0ng-pass-phrase", "new_password2": "Str0ng-pass-phrase"}
    )
    assert response.status_code == 302
    assert signs_in("ava@acme.example", "Str0ng-pass-phrase")
    # The token is spent: the same link no longer works.
    again = Client().get(link)
    assert again.status_code == 400
    assert b"no longer works" in again.content


def test_invitation_link_of_a_deactivated_employee_is_refused(
    ava, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_invite(employee=ava, base_url="http://testserver")
    link = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_deactivate(employee=ava, reason="left")
    response = Client().post(
        link, {"new_password1": "Str0ng-pass-phrase", "new_password2": "Str0ng-pass-phrase"}
    )
    assert response.status_code == 400
    assert not Employee.objects.get(pk=ava.pk).user.has_usable_password()


@pytest.mark.parametrize("link", ["/accounts/password/set/x/y/", "/accounts/password/set/MQ/bad-token/"])
def test_a_forged_link_is_a_clear_page(db, link):
    response = Client().get(link)
    assert response.status_code == 400
    assert b"no longer works" in response.content


def test_expired_invitation_link_is_refused(ava, eager_tasks, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_invite(employee=ava, base_url="http://testserver")
    link = link_in(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert Client().get(link).status_code == 400


def test_forgot_password_emails_a_reset_link_and_says_the_same_for_unknown_emails(
    acme_employee, eager_tasks, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password-forgot"), {"email": "PLAIN@acme.example"})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:password-forgot"), {"email": "nobody@acme.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(b"PLAIN@acme.example", b"") == unknown.content.replace(
        b"nobody@acme.example", b""
    )
    (message,) = mail.outbox
    assert message.subject == "Reset your Engagedly password"
    link = link_in(message)
    Client().post(link, {"new_password1": "An0ther-pass-phrase", "new_password2": "An0ther-pass-phrase"})
    assert signs_in("plain@acme.example", "An0ther-pass-phrase")
    assert not signs_in("plain@acme.example", "pw-Plain-123")
    assert SignInEvent.objects.filter(employee=acme_employee, method="password_link").exists()


def test_no_reset_link_for_people_whose_organization_requires_sso(
    acme, acme_employee, eager_tasks, django_capture_on_commit_callbacks
):
    services.organization_set_sso_required(organization=acme, required=True)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password-forgot"), {"email": "plain@acme.example"})
    assert mail.outbox == []


def test_admin_invites_from_the_profile_and_in_bulk(
    admin_client, acme, ava, eager_tasks, django_capture_on_commit_callbacks
):
    services.employee_provision(organization=acme, email="bob@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("employees:invite", args=[ava.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["ava@acme.example"]]
    assert "Re-invite" in admin_client.get(reverse("employees:detail", args=[ava.pk])).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("employees:invite-all"))
    # The admin has a password already; the two without one are invited.
    assert sorted(m.to[0] for m in mail.outbox) == ["ava@acme.example", "bob@acme.example"]


def test_only_admins_invite_and_only_their_own_organization(client, acme_employee, outsider_admin, ava):
    assert (
        signed_in(client, acme_employee).post(reverse("employees:invite", args=[ava.pk])).status_code == 403
    )
    outsider = signed_in(Client(), outsider_admin)
    assert outsider.post(reverse("employees:invite", args=[ava.pk])).status_code == 404
    assert outsider.get(reverse("employees:invite", args=[ava.pk])).status_code == 405


def test_invite_on_provisioning_setting_is_saved_from_general_settings(admin_client, acme):
    response = admin_client.post(
        reverse("settings:general"),
        {"name": "Acme", "direct_reports_on_deactivation": "keep", "invite_on_provisioning": "on"},
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.invite_on_provisioning


def test_email_is_not_sent_for_an_employee_deactivated_before_the_task_ran(ava, eager_tasks):
    from employees.tasks import send_account_email

    services.employee_invite(employee=ava, base_url="http://testserver")
    services.employee_deactivate(employee=ava, reason="left")
    assert send_account_email.apply(args=[ava.pk, "invitation", "http://testserver"]).get() is False
    assert mail.outbox == []


def test_an_invitation_whose_message_was_lost_is_sent_by_the_sweep(
    ava, settings, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from employees import tasks

    # The broker does not answer when the invitation is queued: nothing is sent.
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_account_email, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.employee_invite(employee=ava, base_url="http://testserver")
    assert mail.outbox == []
    assert Employee.objects.get(pk=ava.pk).invitation_pending_since is not None
    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True

    # Within the grace period the sweep waits (the message may only be slow) ...
    settings.PUBLIC_BASE_URL = "https://hr.example.com"
    assert tasks.resend_pending_invitations.apply().get() == 0
    # ... after it, the sweep sends the invitation with the public origin, once.
    Employee.objects.filter(pk=ava.pk).update(invitation_pending_since=timezone.now() - timedelta(minutes=5))
    assert tasks.resend_pending_invitations.apply().get() == 1
    (message,) = mail.outbox
    assert "https://hr.example.com/accounts/password/set/" in message.body
    assert Employee.objects.get(pk=ava.pk).invitation_pending_since is None
    assert tasks.resend_pending_invitations.apply().get() == 0


def test_a_sent_invitation_is_not_pending(ava, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_invite(employee=ava, base_url="http://testserver")
    assert len(mail.outbox) == 1
    assert Employee.objects.get(pk=ava.pk).invitation_pending_since is None
