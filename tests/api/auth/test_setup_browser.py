"""The first administrator created through the setup link in a real headless Chromium.

axe-core (WCAG 2.2 A/AA tags) finds nothing on the setup page at 768 and 1280 px.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bot.access import setup
from bot.service import Service
from tests.support.auth import PASSWORD, client_for
from tests.support.browser import WCAG_22_AA, WIDTHS
from tests.support.live import live_server


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    with live_server(lambda _url: client_for(service).app) as url:
        yield url


def assert_accessible(page: Page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        results = Axe().run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, f"{width}px\n{results.generate_report()}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_first_admin_is_created_through_the_setup_link(
    browser: Browser, base_url: str, service: Service
) -> None:
    with service.database.engine.begin() as connection:
        token = setup.issue_setup_token(connection, service.engine.clock())
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/")
    expect(page.get_by_text("prints a one-time setup link")).to_be_visible()

    page.goto(f"{base_url}/console/setup?token={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up the first administrator")
    assert_accessible(page)
    page.get_by_label("Email address").fill("first.admin@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("The same password again").fill("short")
    page.get_by_label("Password", exact=True).evaluate("e => e.removeAttribute('minlength')")
    page.get_by_label("The same password again").evaluate("e => e.removeAttribute('minlength')")
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 12 characters")
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_role("status")).to_contain_text("first.admin@example.org is ready")
    assert_accessible(page)

    page.get_by_role("link", name="Sign in to the console").click()
    page.get_by_label("Email address").fill("first.admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/console/")

    page.goto(f"{base_url}/console/setup?token={token}")
    expect(page.get_by_role("alert")).to_contain_text("already exists")
    assert_accessible(page)
