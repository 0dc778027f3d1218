"""The org chart and teams in headless Chromium: the demo organization, and one of 10,000 people.

Runs Debian's /usr/bin/chromium against the live server (see integrations/tests/test_settings_browser.py).
"""

import io
import random
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from employees import services
from employees.models import Employee, Organization
from integrations.tests.test_settings_browser import browser  # noqa: F401 (the Chromium fixture)

PASSWORD = "browser-Chart-123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
MARKER = {"x": 6, "y": 14}  # a branch's ▸, not the links on its card


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """Seeded before the browser starts: Playwright's event loop forbids the ORM in its thread."""
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def test_demo_chart_search_expand_and_teams(demo, live_server, browser):  # noqa: F811
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "admin@acme.example")

    page.get_by_role("link", name="Org chart").click()
    expect(page.get_by_role("link", name="Helen Cho")).to_be_visible()
    expect(page.get_by_role("link", name="Marcus Reid")).to_be_hidden()
    # Open the CEO's branch: her reports load on demand.
    page.locator("details.chart-branch > summary").first.click(position=MARKER)
    expect(page.get_by_role("link", name="Marcus Reid")).to_be_visible()
    page.locator("summary", has=page.get_by_role("link", name="Marcus Reid")).click(position=MARKER)
    expect(page.get_by_role("link", name="Ava Nguyen")).to_be_visible()
    # Collapse again.
    page.locator("details.chart-branch > summary").first.click(position=MARKER)
    expect(page.get_by_role("link", name="Marcus Reid")).to_be_hidden()

    page.get_by_role("searchbox", name="Find a person").fill("Sofia")
    page.get_by_role("button", name="Search").click()
    page.locator(".chart-results").get_by_role("link", name="Sofia Rossi").click()
    focus = page.locator("#focus")
    expect(focus).to_contain_text("Sofia Rossi")
    for manager in ("Helen Cho", "Marcus Reid", "Ava Nguyen"):
        expect(page.locator(".chart").get_by_role("link", name=manager)).to_be_visible()

    focus.get_by_role("link", name="Sofia Rossi").click()
    expect(page.locator(".chain")).to_contain_text("Helen Cho")

    page.get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="Platform squad").click()
    expect(page.get_by_role("link", name="Sofia Rossi")).to_be_visible()
    # A phone's width: the top bar, the chart and the team page fit without scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    team_path = page.url.removeprefix(live_server.url)
    for path in ("/employees/chart/", "/employees/teams/", team_path):
        page.goto(live_server.url + path)
        page.screenshot(path=str(SCREENSHOTS / f"{path.strip('/').replace('/', '-')}-390.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), path
    page.get_by_label("Employee email").fill("helen.cho@acme.example")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Helen Cho was added to Platform squad.")


def _seed_large_organization(size: int) -> str:
    """`size` people in a tree (each manager has up to 8 reports), in bulk; returns one leaf's name."""
    organization = Organization.objects.create(name="Large", slug="large", provisioning_enabled=True)
    rng = random.Random(7)
    people = [
        Employee(
            organization=organization,
            username=f"p{i}@large.example",
            email=f"p{i}@large.example",
            first_name=f"First{i}",
            last_name=f"Last{i:05d}",
            job_title=rng.choice(["Engineer", "Designer", "Manager", "Analyst"]),
        )
        for i in range(size)
    ]
    Employee.objects.bulk_create(people, batch_size=2000)
    people = list(Employee.objects.filter(organization=organization).order_by("id"))
    for index, person in enumerate(people[1:], start=1):
        person.manager_id = people[(index - 1) // 8].pk
        person.manager_link = Employee.ManagerLink.RESOLVED
    Employee.objects.bulk_update(people[1:], ["manager", "manager_link"], batch_size=2000)
    admin = people[-1]
    services.employee_set_roles(employee=admin, is_org_admin=True, can_manage_integrations=False)
    services.employee_set_password(employee=admin, password=PASSWORD)
    return admin.email


@pytest.fixture
def large_organization(transactional_db) -> str:
    return _seed_large_organization(10_000)


@pytest.mark.slow
def test_chart_of_ten_thousand_people_paints_and_finds_a_chain(large_organization, live_server, browser):  # noqa: F811
    email = large_organization
    page = browser.new_page()
    sign_in(page, live_server.url, email)

    started = time.perf_counter()
    page.goto(f"{live_server.url}/employees/chart/")
    page.wait_for_load_state("load")
    first_paint = time.perf_counter() - started
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
    )
    print(
        f"\n10,000-person org chart: loaded in {first_paint * 1000:.0f} ms, first contentful paint {paint} ms"
    )
    expect(page.get_by_role("link", name="First0 Last00000")).to_be_visible()
    # Only the top is drawn: branches load when opened.
    assert page.locator(".chart-card").count() < 20

    page.get_by_role("searchbox", name="Find a person").fill("Last09999")
    page.get_by_role("button", name="Search").click()
    page.locator(".chart-results").get_by_role("link", name="First9999 Last09999").click()
    expect(page.locator("#focus")).to_contain_text("First9999 Last09999")
    # 9999 → 1249 → 156 → 19 → 2 → 0: the whole line is open.
    for pk_index in (0, 2, 19, 156, 1249):
        name = f"First{pk_index} Last{pk_index:05d}"
        expect(page.locator(".chart").get_by_role("link", name=name)).to_be_visible()
    timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].duration")
    print(f"10,000-person org chart: a chain 5 levels deep opened in {timing:.0f} ms")
