"""Personal API keys: made on the profile, shown once, stored as a digest, last use recorded."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiKey
from api.tests.conftest import ApiClient, issue_key
from conftest import signed_in


def test_a_key_is_prefixed_and_only_its_digest_is_stored(acme_admin):
    issued = services.api_key_create(employee=acme_admin, name="Terraform")
    assert issued.plaintext.startswith("engapi_") and len(issued.plaintext) > 40
    stored = ApiKey.objects.get()
    assert issued.plaintext not in {stored.lookup, stored.digest}
    assert issued.plaintext[7:19] == stored.lookup
    assert str(stored) == f"engapi_{stored.lookup}…"


def test_a_plain_employee_may_not_create_a_key(acme_employee):
    with pytest.raises(PermissionDenied):
        services.api_key_create(employee=acme_employee, name="Sneaky")


def test_a_key_must_have_a_name_and_a_future_expiry(acme_admin):
    with pytest.raises(ValidationError):
        services.api_key_create(employee=acme_admin, name="  ")
    with pytest.raises(ValidationError):
        services.api_key_create(employee=acme_admin, name="x", expires_at=timezone.now())


def test_last_use_is_recorded_to_the_minute(acme_admin, acme_setup):
    api = ApiClient(issue_key(acme_admin))
    assert ApiKey.objects.get().last_used_at is None
    api.get("employees/")
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    api.get("employees/")
    assert ApiKey.objects.get().last_used_at == first  # within the minute: no write
    ApiKey.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("employees/")
    assert ApiKey.objects.get().last_used_at > first


def test_profile_page_creates_a_key_shown_once_and_revokes_it(client, acme_admin, acme_setup):
    signed_in(client, acme_admin)
    profile = client.get(reverse("employees:detail", args=[acme_admin.pk])).content.decode()
    assert reverse("api-keys:list") in profile
    created = client.post(reverse("api-keys:list"), {"name": "SIEM export", "expires_in_days": "30"})
    assert created.status_code == 200
    assert "no-cache" in created["Cache-Control"] or "no-store" in created["Cache-Control"]
    key = created.context["key"]
    assert key in created.content.decode()
    api_key = ApiKey.objects.get()
    assert api_key.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()

    listing = client.get(reverse("api-keys:list")).content.decode()
    assert "SIEM export" in listing and key not in listing
    assert ApiClient(key).get("employees/").status_code == 200

    revoked = client.post(reverse("api-keys:revoke", args=[api_key.pk]))
    assert revoked.status_code == 302
    assert ApiClient(key).get("employees/").status_code == 401


def test_profile_keys_page_is_for_admins_only(client, acme_employee):
    signed_in(client, acme_employee)
    assert client.get(reverse("api-keys:list")).status_code == 403
    assert client.post(reverse("api-keys:list"), {"name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_nobody_revokes_a_colleague_key(client, acme, acme_admin, outsider_admin):
    from employees.tests.factories import EmployeeFactory

    colleague = EmployeeFactory(organization=acme, is_org_admin=True, password="pw-Col-123")
    issue_key(colleague)
    for someone in (acme_admin, outsider_admin):
        signed_in(client, someone)
        assert client.post(reverse("api-keys:revoke", args=[ApiKey.objects.get().pk])).status_code == 404
    assert ApiKey.objects.get().revoked_at is None
