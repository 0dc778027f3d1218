"""The deactivation brake in headless Chromium: a burst from Okta trips it, the banner shows on the
Settings pages, the admin opens the connection, applies a selection and keeps the rest active."""

import httpx
import pytest
from playwright.sync_api import expect

from employees.models import Employee
from integrations import services
from integrations.tests.test_settings_browser import DEMO_ADMIN, DEMO_PASSWORD, browser, demo  # noqa: F401

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEACTIVATE = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}


@pytest.fixture
def okta(demo, live_server):  # noqa: F811  (the imported fixture)
    """A connection of the demo organization, and the ids of 13 of its 21 people, oldest first."""
    employees = Employee.objects.filter(organization__slug="acme").exclude(email=DEMO_ADMIN)
    connection = services.connection_create(organization=employees[0].organization, name="Okta production")
    base_url = f"{live_server.url}/scim/v2/{connection.connection.public_id}"
    auth = {"Authorization": f"Bearer {connection.plaintext_token}", "Content-Type": "application/scim+json"}
    ids = list(employees.order_by("pk").values_list("pk", flat=True)[:13])
    return base_url, auth, ids


def test_trip_the_brake_see_the_banner_apply_a_selection_keep_the_rest(okta, live_server, browser):  # noqa: F811
    base_url, auth, ids = okta
    # Okta deactivates 13 of 21 people in a burst: the default brake applies 10 and holds 3.
    for pk in ids:
        answer = httpx.patch(f"{base_url}/Users/{pk}", json=DEACTIVATE, headers=auth, timeout=30)
        assert (answer.status_code, answer.json()["active"]) == (200, False)

    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Work email").fill(DEMO_ADMIN)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()

    banner = page.locator(".held-banner")
    expect(banner).to_contain_text("3 deactivations from Okta production are held for your decision.")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    expect(banner).to_be_visible()
    banner.get_by_role("link", name="Review held deactivations").click()

    held = page.locator("#held tbody tr")
    expect(held).to_have_count(3)
    expect(page.locator("#held")).to_contain_text("The deactivation brake tripped")
    first, second, third = (held.nth(n).locator("label").inner_text() for n in range(3))
    held.nth(0).get_by_role("checkbox").check()
    held.nth(2).get_by_role("checkbox").check()
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Deactivation applied to 2 people.")).to_be_visible()
    expect(held).to_have_count(1)
    expect(held.first).to_contain_text(second)

    page.get_by_role("button", name="Keep all active (1)").click()
    expect(page.get_by_text("1 person kept active.")).to_be_visible()
    expect(page.locator(".held-banner")).to_have_count(0)
    expect(page.locator("#held")).to_have_count(0)

    # What Okta reads now: the applied ones inactive, the kept one active again.
    people = {
        resource["name"]["givenName"] + " " + resource["name"]["familyName"]: resource["active"]
        for pk in ids[10:]
        for resource in [httpx.get(f"{base_url}/Users/{pk}", headers=auth, timeout=30).json()]
    }
    assert people == {first: False, second: True, third: False}

    # The directory agrees.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Search").fill(second.split()[0])
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr").filter(has_text=second)).to_contain_text("Active")
