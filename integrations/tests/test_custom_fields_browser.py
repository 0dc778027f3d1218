"""Custom profile fields over SCIM and the attribute mapping page, end to end in headless Chromium.

Define a field in Settings > Profile fields, push a user carrying it over SCIM (the way Okta sends
custom attributes: under the product's extension, the URN in `schemas`), see it on the profile;
then point Employee ID at externalId on the mapping page and see Okta's next PUT apply it.
"""

import re
import threading

import httpx
from playwright.sync_api import expect

from integrations.activity_log import activity_log
from integrations.tests.test_settings_browser import (  # noqa: F401 (fixtures)
    DEMO_ADMIN,
    DEMO_PASSWORD,
    ENTERPRISE,
    browser,
    demo,
    okta_create_body,
)

CUSTOM = "urn:ietf:params:scim:schemas:extension:engagedly:2.0:User"


def _flush():
    # From a thread of its own: Django refuses database work where Playwright's event loop runs.
    writer = threading.Thread(target=activity_log.flush)
    writer.start()
    writer.join()


def test_custom_field_pushed_over_scim_and_a_mapping_change(demo, live_server, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Work email").fill(DEMO_ADMIN)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Settings > Profile fields > + Add field
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Profile fields").click()
    page.get_by_role("link", name="+ Add field").click()
    page.get_by_label("Label").fill("Desk")
    page.get_by_label("Key").fill("desk")
    page.get_by_label("Type").select_option("text")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="desk", exact=True)).to_be_visible()

    # A connection, and Okta pushing a user with the custom attribute.
    page.goto(f"{live_server.url}/settings/integrations/okta/connections/new/")
    page.get_by_label("Connection name").fill("Okta custom")
    page.get_by_role("button", name="Save").click()
    base_url = page.get_by_label("Base URL").input_value()
    token = page.get_by_label("API token").input_value()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    body = okta_create_body("dana.desk@acme.example", "Dana", "Desk")
    body["schemas"] = [*body["schemas"], CUSTOM]
    body[CUSTOM] = {"desk": "North wing 4.12"}
    created = httpx.post(f"{base_url}/Users", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()[CUSTOM] == {"desk": "North wing 4.12"}
    user_id = created.json()["id"]
    _flush()

    page.goto(f"{live_server.url}/employees/{user_id}/")
    profile = page.locator("dl.fields")
    expect(profile).to_contain_text("Desk")
    expect(profile).to_contain_text("North wing 4.12")
    expect(profile).to_contain_text("E-9001")

    # The connection's ⋮ menu > Attribute mapping: Employee ID <- externalId.
    page.goto(f"{live_server.url}/settings/integrations/okta/")
    page.get_by_role("link", name="Okta custom").first.click()
    page.get_by_role("link", name="Attribute mapping").first.click()
    expect(page.get_by_role("heading", name="Attribute mapping")).to_be_visible()
    expect(page.get_by_text("Changes apply to Okta’s next request.")).to_be_visible()
    received = page.locator("#received tr").filter(has_text=f"{CUSTOM}:desk")
    expect(received).to_contain_text("Mapped to Desk")
    employee_id = page.get_by_label("Employee ID")
    expect(employee_id).to_have_value(f"{ENTERPRISE}:employeeNumber")
    employee_id.fill("externalId")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_text("Mapping saved")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Employee ID")).get_by_text("Changed")).to_be_visible()

    # Okta's next PUT of the same person: Employee ID now comes from externalId.
    replaced = httpx.put(f"{base_url}/Users/{user_id}", json=body, headers=headers)
    assert replaced.status_code == 200, replaced.text
    page.goto(f"{live_server.url}/employees/{user_id}/")
    expect(page.locator("dl.fields")).to_contain_text("00udana")
    expect(page.locator("dl.fields")).to_contain_text("North wing 4.12")
