"""The cases page and the erasure result in a real headless Chromium.

axe-core with the WCAG 2.2 A/AA tags finds nothing at 768 and 1280 px: the cases list with
its deadline tables and forms, and the data-rights page saying an open case was kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bot.access import users
from bot.service import Service
from tests.support.auth import PASSWORD, add_tenant, add_user, client_for
from tests.support.browser import WCAG_22_AA, WIDTHS
from tests.support.concerns import comment_after_repair, set_profile
from tests.support.live import live_server
from tests.support.services import Clock


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    with live_server(lambda _url: client_for(service).app) as url:
        yield url


def assert_accessible(page: Page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        results = Axe().run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, f"{width}px\n{results.generate_report()}"
        wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, f"the page scrolls sideways at {width}px"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cases_page_and_erasure_result_are_accessible(
    browser: Browser, base_url: str, service: Service, clock: Clock
) -> None:
    clock.now = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC)
    respondent = add_tenant(service, "T-5")
    set_profile(service, respondent, estate="Riverside")
    comment_after_repair(service, "the walls are mouldy")
    comment_after_repair(service, "no hot water", address="+447700900124")
    clock.now = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)
    add_user(service, "admin@example.org", users.Role.ADMIN)

    page = browser.new_context().new_page()
    page.goto(f"{base_url}/console/login")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base_url}/console/concerns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    expect(page.locator(".concern h2").first).to_contain_text("Other emergency hazard")
    assert_accessible(page)
    page.get_by_role("button", name="Record for case 1: investigated").click()
    expect(page.get_by_role("status").first).to_contain_text("Case 1: investigated, recorded.")
    assert_accessible(page)

    page.goto(f"{base_url}/console/tenants/T-5/data-rights")
    page.get_by_label("Type the tenant reference").fill("T-5")
    page.get_by_role("button", name="Erase").click()
    expect(page.get_by_role("status").first).to_contain_text("has been erased")
    expect(page.get_by_text("1 open case about their home is kept")).to_be_visible()
    assert_accessible(page)
