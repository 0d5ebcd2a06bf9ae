"""The console's sign-in and data-rights pages in a real headless Chromium (Playwright).

Keyboard only: an officer signs in (after a wrong password, whose error is announced), with
a visible focus ring on every control; an admin erases a tenant from the data-rights page.
axe-core finds no WCAG 2.1 A/AA violation on any of these pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from bot.access.users import Role
from bot.service import Service
from tests.support.auth import PASSWORD, add_tenant, add_user, client_for
from tests.support.browser import CHROMIUM_ARGS, WCAG_21_AA, chromium_path
from tests.support.live import live_server


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    with live_server(lambda _url: client_for(service).app) as url:
        yield url


def in_browser(steps: Callable[[Page], None]) -> None:
    """Run `steps` in a Chromium of its own, on a thread of its own.

    Playwright's sync API refuses to start while another sync instance is alive on the same
    thread (another module's session fixture may be); a fresh thread has no such loop.
    """

    def run() -> None:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                steps(browser.new_context(viewport={"width": 1024, "height": 768}).new_page())
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result(timeout=300)


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def tab_to(page: Page, selector: str, presses: int = 30) -> None:
    """Press Tab until the focused element matches `selector`, checking each focus ring."""
    for _ in range(presses):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), f"{selector} shows no focus ring"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def keyboard_sign_in(page: Page, email: str, password: str) -> None:
    tab_to(page, "#email")
    page.keyboard.press("Control+A")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def test_an_officer_signs_in_with_the_keyboard(base_url: str, service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    in_browser(lambda page: _officer_signs_in(page, base_url))


def _officer_signs_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/console/tenants")
    assert page.url == f"{base_url}/console/login?next=/console/tenants"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the console")
    assert_accessible(page)
    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    keyboard_sign_in(page, "olive@example.org", "not my password")
    expect(page.get_by_role("alert")).to_contain_text("email address and password do not match")
    expect(page.get_by_label("Email address")).to_have_value("olive@example.org")
    assert_accessible(page)
    keyboard_sign_in(page, "olive@example.org", PASSWORD)
    page.wait_for_url(f"{base_url}/console/tenants")
    tab_to(page, "form.signout button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/console/login")
    page.goto(f"{base_url}/console/tenants")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the console")


def test_an_admin_erases_a_tenant_from_the_data_rights_page(
    base_url: str, service: Service
) -> None:
    add_user(service, "admin@example.org", Role.ADMIN)
    add_tenant(service, "T-1")
    in_browser(lambda page: _admin_erases(page, base_url))


def _admin_erases(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/console/tenants/T-1/data-rights")
    keyboard_sign_in(page, "admin@example.org", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Data rights: tenant T-1")
    assert_accessible(page)
    tab_to(page, "#confirm")
    page.keyboard.type("T-2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("did not match T-1")
    assert_accessible(page)
    page.get_by_label("Type the tenant reference, T-1, to confirm").fill("T-1")
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("has been erased")
    assert_accessible(page)
