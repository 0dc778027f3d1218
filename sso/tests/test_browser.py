"""Single sign-on end to end in headless Chromium against the live server and the two test
identity providers (separate processes): OIDC and SAML SP-initiated, SAML IdP-initiated, and an
admin's Test sign-in from Settings > Integrations > SSO."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect, sync_playwright

from employees import services
from employees.tests.factories import OrganizationFactory
from integrations.tests.test_settings_browser import CHROMIUM, CHROMIUM_ARGS
from sso.tests.conftest import idp_user, oidc_configure, saml_configure


@pytest.fixture
def browser(tmp_path):
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def acme(transactional_db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def ava(acme):
    return services.employee_provision(organization=acme, email="ava@acme.example", first_name="Ava")


# The database is set up in fixtures, before the browser starts: Playwright's sync API runs an
# event loop, and Django refuses database calls made while one runs in the same thread.


@pytest.fixture
def oidc_required(live_server, acme, ava, oidc_idp):
    idp_user(oidc_idp, "ava@acme.example", given_name="Ava")
    return oidc_configure(oidc_idp, acme, origin=live_server.url, sso_required=True)


@pytest.fixture
def saml_on(live_server, acme, ava, saml_idp, client):
    idp_user(saml_idp, "ava@acme.example", first_name="Ava")
    return saml_configure(saml_idp, acme, client, origin=live_server.url)


@pytest.fixture
def oidc_off_with_admin(live_server, acme, ava, oidc_idp):
    admin = services.employee_create(organization=acme, email="admin@acme.example", is_org_admin=True)
    services.employee_set_password(employee=admin, password="Admin-pass-2026")
    idp_user(oidc_idp, "ava@acme.example", given_name="Ava")
    return oidc_configure(oidc_idp, acme, origin=live_server.url, enabled=False)


def sign_in_at_the_idp(page, email):
    page.get_by_label("IdP username").fill(email)
    page.get_by_role("button", name="Sign in to the IdP").click()


def test_oidc_sp_initiated_from_the_sign_in_page(live_server, oidc_required, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Work email").fill("ava@acme.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Test IdP")).to_be_visible()
    sign_in_at_the_idp(page, "ava@acme.example")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.locator("summary.account-button")).to_have_attribute("aria-label", "Account menu for Ava")


def test_saml_sp_initiated_from_the_sign_in_page(live_server, saml_on, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/?next=/employees/%3Fq%3Dava")
    page.get_by_label("Work email").fill("ava@acme.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Test SAML IdP")).to_be_visible()
    sign_in_at_the_idp(page, "ava@acme.example")
    # Back through the ACS, signed in, on the page asked for.
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/employees/\?q=ava$"))
    expect(page.locator("summary.account-button")).to_have_attribute("aria-label", "Account menu for Ava")


def test_saml_idp_initiated_from_the_dashboard_tile(live_server, saml_idp, saml_on, browser):
    entity_id = f"{live_server.url}/sso/{saml_on.public_id}/saml/metadata/"
    page = browser.new_page()
    page.goto(f"{saml_idp.url}/idp-init?{urlencode({'sp': entity_id})}")
    sign_in_at_the_idp(page, "ava@acme.example")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.locator("summary.account-button")).to_have_attribute("aria-label", "Account menu for Ava")


def test_admin_runs_a_test_sign_in_from_the_sso_settings(live_server, oidc_off_with_admin, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Work email").fill("admin@acme.example")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Admin-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name=re.compile("^Single sign-on")).click()
    expect(page.get_by_label("Sign-in redirect URI")).to_have_value(
        f"{live_server.url}/sso/{oidc_off_with_admin.public_id}/oidc/callback/"
    )
    page.get_by_role("link", name="Test sign-in").click()
    sign_in_at_the_idp(page, "ava@acme.example")
    expect(page.get_by_role("heading", name="Test sign-in succeeded")).to_be_visible()
    expect(page.locator("#test-email")).to_have_text("ava@acme.example")
    expect(page.locator("#test-verdict")).to_contain_text("Would sign in as Ava")
    # Still the admin: the test signed nobody in.
    expect(page.locator("summary.account-button")).to_have_attribute(
        "aria-label", "Account menu for admin@acme.example"
    )
