"""The front page and the API docs in a real headless Chromium, with no internet.

The browser resolves no host but this machine (tests/browser_plugin.py), so the docs only
render when Swagger UI and ReDoc come from the service itself. axe-core finds no WCAG 2.1
A/AA violation on the front page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Request, expect

from api.app import create_app
from bot.service import Service
from channels.registry import ChannelRegistry
from tests.support.browser import WCAG_21_AA
from tests.support.live import live_server


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    app = create_app(service.settings, service, ChannelRegistry([]), background=False)
    with live_server(lambda _url: app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page that fails the test if it asks for anything outside the service (a request
    the page's Content-Security-Policy stops before it leaves the browser is fine)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    elsewhere: dict[str, str | None] = {}
    ours = (base_url, f"blob:{base_url}")  # blob: ReDoc's search worker

    def asked(request: Request) -> None:
        if not request.url.startswith(ours):
            elsewhere[request.url] = "sent"

    def failed(request: Request) -> None:
        if request.failure == "csp":  # blocked by the page's Content-Security-Policy
            elsewhere.pop(request.url, None)

    opened.on("request", asked)
    opened.on("requestfailed", failed)
    yield opened
    context.close()
    assert not elsewhere, f"the page asked other hosts for {list(elsewhere)}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_front_page_is_accessible_and_leads_on(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doorstep")
    expect(page.get_by_role("heading", name="Set up the first administrator")).to_be_visible()
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name="Officer console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the console")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_api_docs_render_offline(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=20_000)
    assert operations.count() > 10
    expect(page.locator(".opblock-summary-path", has_text="/health").first).to_be_visible()

    page.goto(f"{base_url}/redoc")
    expect(page.get_by_role("heading", name="Doorstep").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/questionnaires").first).to_be_attached()
