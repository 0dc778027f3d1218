"""Every page under the Content-Security-Policy in headless Chromium: no violation is reported.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts and styles from our own files only, so
an inline <script>, a style="" attribute or a <style> block in any template shows up here.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from api import services as api_services
from employees import services as employee_services
from employees.models import Employee, Organization
from integrations import services as integration_services
from integrations.tests.settings_helpers import record_request
from integrations.tests.test_settings_browser import CHROMIUM, CHROMIUM_ARGS, DEMO_ADMIN, DEMO_PASSWORD

PLAIN_PASSWORD = "plain-Demo-123"

# Records violations from the page's own event, before any page script runs (init scripts are
# injected by the browser, outside the policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def browser(tmp_path):
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def demo(transactional_db, monkeypatch, settings):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())
    acme = Organization.objects.get(slug="acme")
    admin = Employee.objects.get(email=DEMO_ADMIN)
    created = integration_services.connection_create(organization=acme, name="Okta production")
    connection = created.connection
    for code, ago in ((201, 0), (409, 1), (500, 3)):
        record_request(connection, status_code=code, ago=datetime.timedelta(days=ago))
    gone = Employee.objects.filter(organization=acme).exclude(pk=admin.pk).last()
    employee_services.employee_deactivate(employee=gone, reason="left")
    in_nine_days = timezone.now() + datetime.timedelta(days=9)
    api_services.api_key_create(employee=admin, name="Terraform", expires_at=in_nine_days)
    plain = Employee.objects.filter(organization=acme, is_org_admin=False, status="active").first()
    employee_services.employee_set_password(employee=plain, password=PLAIN_PASSWORD)
    token = connection.tokens.get()
    team, field = acme.teams.first(), acme.custom_fields.first()
    request = connection.requests.order_by("-created_at").first()
    return {
        "admin": admin,
        "connection": connection,
        "token": token,
        "gone": gone,
        "plain": plain,
        "team": team,
        "field": field,
        "request": request,
    }


class Watcher:
    """Collects CSP reports from the console and the violation event, page by page."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return self.console + events

    def visit(self, url: str) -> list[str]:
        self.console.clear()
        response = self.page.goto(url)
        assert response.headers.get("content-security-policy"), url
        self.page.wait_for_load_state("networkidle")
        return self.violations()


def sign_in(page, base: str, email: str, password: str):
    page.goto(f"{base}/login/")
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()


def test_the_detector_sees_an_inline_script_refused(live_server, browser):
    """The check below could fail: the same policy on an inline script is reported."""
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    watcher = Watcher(page)
    policy = page.goto(f"{live_server.url}/login/").headers["content-security-policy"]
    page.route(
        f"{live_server.url}/csp-canary",
        lambda route: route.fulfill(
            body="<!doctype html><p style='color:red'>x</p><script>document.title='ran'</script>",
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
        ),
    )
    page.goto(f"{live_server.url}/csp-canary")
    page.wait_for_load_state("networkidle")
    assert page.title() != "ran"
    found = watcher.violations()
    assert any("script-src" in v for v in found) and any("style-src" in v for v in found), found


def test_every_page_passes_the_content_security_policy(demo, live_server, browser):
    base = live_server.url
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    watcher = Watcher(page)
    violations: dict[str, list[str]] = {}

    def check(path: str):
        found = watcher.visit(base + path)
        if found:
            violations[path] = found

    check("/login/")
    check("/accounts/password/forgot/")
    sign_in(page, base, DEMO_ADMIN, DEMO_PASSWORD)
    connection, admin, gone = demo["connection"], demo["admin"], demo["gone"]
    c = connection.pk
    for path in (
        "/employees/",
        "/employees/?q=a&status=active",
        f"/employees/{admin.pk}/",
        f"/employees/{gone.pk}/",
        "/employees/new/",
        f"/employees/{admin.pk}/edit/",
        f"/employees/{admin.manager_id}/status/",
        "/employees/chart/",
        f"/employees/chart/?focus={admin.pk}&q=a",
        "/employees/teams/",
        "/employees/teams/new/",
        f"/employees/teams/{demo['team'].pk}/",
        "/settings/general/",
        "/settings/fields/",
        "/settings/fields/new/",
        f"/settings/fields/{demo['field'].pk}/",
        f"/settings/fields/{demo['field'].pk}/delete/",
        "/settings/integrations/",
        "/settings/integrations/okta/",
        "/settings/integrations/okta/connections/new/",
        "/settings/integrations/entra/",
        "/settings/integrations/scim/connections/new/",
        "/settings/integrations/alerts/",
        "/settings/integrations/retention/",
        f"/settings/integrations/connections/{c}/",
        f"/settings/integrations/connections/{c}/?outcome=client_error",
        f"/settings/integrations/connections/{c}/activity/{demo['request'].pk}/",
        f"/settings/integrations/connections/{c}/delete/",
        f"/settings/integrations/connections/{c}/mapping/",
        f"/settings/integrations/connections/{c}/tokens/{demo['token'].pk}/revoke/",
        "/settings/audit/",
        "/settings/integrations/sso/",
        "/settings/audit/?action=connection.created",
        "/profile/api-keys/",
        "/no-such-page/",
        "/admin/",
        "/admin/employees/employee/",
        f"/admin/employees/employee/{admin.pk}/change/",
        "/admin/integrations/connection/",
        f"/admin/integrations/connection/{c}/change/",
        "/admin/api/apikey/",
    ):
        check(path)

    # The API reference: Swagger UI renders the document under the same policy.
    check("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Engagedly admin API")
    expect(page.locator(".opblock").first).to_be_visible()
    if found := watcher.violations():
        violations["api docs rendered"] = found

    # The pages that answer a POST: credentials shown once, a new API key shown once.
    page.goto(f"{base}/settings/integrations/okta/connections/new/")
    page.get_by_label("Connection name").fill("Okta staging")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("shown only this once")).to_be_visible()
    page.wait_for_load_state("networkidle")
    if found := watcher.violations():
        violations["credentials"] = found
    page.goto(f"{base}/profile/api-keys/")
    page.get_by_label("Key name").fill("SIEM")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_text("shown only this once")).to_be_visible()
    page.get_by_role("button", name="Copy API key").click()  # portal.js runs under the policy
    expect(page.locator("#api-key-status")).not_to_be_empty()
    if found := watcher.violations():
        violations["api key created"] = found

    # The org chart's branches, which portal.js loads when opened.
    page.goto(f"{base}/employees/chart/")
    page.locator("details.chart-branch > summary").first.click(position={"x": 6, "y": 14})
    expect(page.locator("details.chart-branch[open] .chart-list")).to_be_visible()
    if found := watcher.violations():
        violations["org chart branch"] = found

    # The menus and dialogs that portal.js opens.
    page.goto(f"{base}/settings/integrations/okta/")
    page.locator("details.menu summary").first.click()
    if found := watcher.violations():
        violations["okta menus"] = found

    # A plain employee: the directory without admin links, and the 403 page.
    browser.clear_cookies()
    sign_in(page, base, demo["plain"].email, PLAIN_PASSWORD)
    for path in ("/employees/", "/settings/integrations/", "/profile/api-keys/"):
        check(path)
    assert violations == {}
