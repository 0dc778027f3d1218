from django.contrib.auth import get_user_model
from django.urls import reverse

from employees.models import Organization


def test_support_staff_toggle_okta_flag_from_the_list(client, acme, outsider_org):
    staff = get_user_model().objects.create_superuser("support", "support@portal.example", "pw-Support-123")
    client.force_login(staff)
    url = reverse("admin:employees_organization_changelist")
    orgs = list(Organization.objects.order_by("name"))
    data = {
        "form-TOTAL_FORMS": str(len(orgs)),
        "form-INITIAL_FORMS": str(len(orgs)),
        "_save": "Save",
    }
    for i, org in enumerate(orgs):
        data[f"form-{i}-id"] = str(org.pk)
        if org.pk != acme.pk:
            data[f"form-{i}-provisioning_enabled"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    acme.refresh_from_db()
    outsider_org.refresh_from_db()
    assert acme.provisioning_enabled is False
    assert outsider_org.provisioning_enabled is True


def test_admin_pages_open_for_staff(client, acme_admin):
    staff = get_user_model().objects.create_superuser("support", "support@portal.example", "pw-Support-123")
    client.force_login(staff)
    for name in ["admin:employees_organization_changelist", "admin:employees_employee_changelist"]:
        assert client.get(reverse(name), {"q": "acme"}).status_code == 200
