"""The organization's "invite people when they are provisioned": a SCIM create emails a link."""

from django.core import mail

from employees import services
from integrations.tests.conftest import fixture


def test_scim_create_invites_when_the_organization_asks_for_it(
    scim, acme, eager_tasks, django_capture_on_commit_callbacks
):
    services.organization_update(
        organization=acme, name="Acme", direct_reports_on_deactivation="keep", invite_on_provisioning=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.post("/Users", fixture("okta_create_user.json"))
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == [response.body["emails"][0]["value"]]
    assert "http://testserver/accounts/password/set/" in message.body


def test_scim_create_sends_nothing_by_default_or_when_sso_is_required(
    scim, acme, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.post("/Users", fixture("okta_create_user.json")).status_code == 201
    services.organization_update(
        organization=acme, name="Acme", direct_reports_on_deactivation="keep", invite_on_provisioning=True
    )
    services.organization_set_sso_required(organization=acme, required=True)
    body = fixture("okta_create_user.json")
    body["userName"] = body["emails"][0]["value"] = "second@acme.example"
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.post("/Users", body).status_code == 201
    assert mail.outbox == []
