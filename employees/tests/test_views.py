from django.urls import reverse

from conftest import signed_in
from employees.tests.factories import EmployeeFactory


def test_directory_lists_own_organization_only(client, acme_admin, outsider_admin):
    ava = EmployeeFactory(organization=acme_admin.organization, first_name="Ava", last_name="Nguyen")
    response = signed_in(client, outsider_admin).get(reverse("employees:directory"))
    assert response.status_code == 200
    # The row's link, not the name: the outsider's own generated name may be Nguyen too.
    assert reverse("employees:detail", args=[ava.pk]).encode() not in response.content
    assert reverse("employees:detail", args=[outsider_admin.pk]).encode() in response.content


def test_outsider_gets_404_on_another_organizations_employee(client, acme_admin, outsider_admin):
    response = signed_in(client, outsider_admin).get(reverse("employees:detail", args=[acme_admin.pk]))
    assert response.status_code == 404


def test_directory_search_and_filters(admin_client, acme):
    ava = EmployeeFactory(organization=acme, first_name="Ava", last_name="Nguyen", department="Sales")
    liam = EmployeeFactory(organization=acme, first_name="Liam", last_name="Reid", department="Engineering")

    def listed(params):
        # The rows' links, not names: the signed-in admin's generated name may be anyone's.
        body = admin_client.get(reverse("employees:directory"), params).content.decode()
        return {e for e in (ava, liam) if f'href="{reverse("employees:detail", args=[e.pk])}"' in body}

    assert listed({"q": "nguy"}) == {ava}
    assert listed({"department": "Engineering"}) == {liam}
    assert (
        admin_client.get(reverse("employees:directory"), {"status": "bogus", "page": "x"}).status_code == 200
    )


def test_detail_shows_manager_and_direct_reports(admin_client, acme):
    from employees import services

    boss = EmployeeFactory(organization=acme, first_name="Helen", last_name="Cho")
    report = EmployeeFactory(organization=acme, first_name="Ava", last_name="Nguyen")
    services.employee_set_manager(employee=report, manager=boss)
    assert b"Helen Cho" in admin_client.get(reverse("employees:detail", args=[report.pk])).content
    assert b"Ava Nguyen" in admin_client.get(reverse("employees:detail", args=[boss.pk])).content


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("employees:directory"))
    assert response.status_code == 302
