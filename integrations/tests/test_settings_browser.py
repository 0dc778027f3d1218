"""The help article end to end in headless Chromium: connect Okta, sync, disconnect; employees stay.

Runs Debian's /usr/bin/chromium (test tools may not download browsers here) against the live server.
"""

import io
import re
import threading

import httpx
import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from integrations.activity_log import activity_log

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_ADMIN = "admin@acme.example"
DEMO_PASSWORD = "browser-Demo-123"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def okta_create_body(email: str, first: str, last: str) -> dict:
    """What Okta POSTs after an empty userName lookup (see WIRE-EXAMPLES.md)."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": email,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{first} {last}",
        "title": "Sales Manager",
        "externalId": f"00u{first.lower()}",
        "password": "1mz050nq",
        "active": True,
        ENTERPRISE: {"department": "Sales", "employeeNumber": "E-9001"},
    }


@pytest.fixture
def demo(transactional_db, monkeypatch, settings):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    settings.PUBLIC_BASE_URL = ""  # the base URL follows the live server's address
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def browser(tmp_path):
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


def test_connect_okta_sync_disconnect_and_employees_stay(demo, live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Work email").fill(DEMO_ADMIN)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()

    # Settings > Integrations > HRIS > Okta > + Add Connection > name > Save
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name=re.compile("^Okta")).click()
    page.get_by_role("link", name="+ Add Connection").first.click()
    page.get_by_label("Connection name").fill("Okta production")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("shown only this once")).to_be_visible()
    base_url = page.get_by_label("Base URL").input_value()
    token = page.get_by_label("API token").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/scim/v2/\w+", base_url)
    assert token.startswith("engscim_")
    page.get_by_role("button", name="Copy API token").click()
    expect(page.locator("#token-status")).not_to_be_empty()

    # Okta's Test Connector Configuration, then a user assigned in Okta.
    auth = {"Authorization": f"Bearer {token}"}
    test_connector = httpx.get(f"{base_url}/Users", params={"startIndex": 1, "count": 2}, headers=auth)
    assert test_connector.status_code == 200
    created = httpx.post(
        f"{base_url}/Users",
        json=okta_create_body("ava.okta@acme.example", "Ava", "Okta"),
        headers={**auth, "Content-Type": "application/scim+json"},
    )
    assert created.status_code == 201

    # The activity list shows those requests, newest first, once the batch writer has written them.
    # (From a thread of its own: Playwright's event loop runs in this one, and Django refuses
    # database work in a thread that runs an event loop.)
    writer = threading.Thread(target=activity_log.flush)
    writer.start()
    writer.join()
    page.get_by_role("link", name="Go to the connection").click()
    activity = page.locator("#activity tbody tr")
    expect(activity.first).to_contain_text("Ava Okta")
    expect(activity.last).to_contain_text("GET /Users")
    expect(activity.last).to_contain_text("200")
    expect(page.locator(".stats")).to_contain_text("Connected")

    # The ⋮ menu works from the keyboard: Enter opens it, Escape closes it.
    menu = page.locator("details.menu").filter(has=page.get_by_label("Actions for Okta production"))
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")

    # ⋮ > Delete, and confirm in the dialog that says what happens.
    page.get_by_label("Actions for Okta production").click()
    page.get_by_role("link", name="Delete connection").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Syncing stops at once")
    expect(dialog).to_contain_text("Employees already synced stay exactly as they are")
    dialog.get_by_role("button", name="Delete connection").click()
    expect(page.get_by_text("Connection “Okta production” deleted")).to_be_visible()

    after = httpx.get(f"{base_url}/Users", params={"startIndex": 1, "count": 2}, headers=auth)
    assert after.status_code == 401

    # The employee Okta created is still in the directory, unchanged. (Checked through the page: the
    # ORM is not used while Playwright's event loop runs in this thread.)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Search").fill("ava.okta")
    page.get_by_role("button", name="Apply").click()
    row = page.locator("tbody tr").filter(has_text="Ava Okta")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Sales Manager")
