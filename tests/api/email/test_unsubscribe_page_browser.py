"""The one-click unsubscribe page in a real headless Chromium: the tenant's language, one
plain form button (no script on the page), and no WCAG 2.2 A/AA violation (axe-core)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from bot.outreach.email_addresses import ensure_identity, unsubscribe_token
from bot.service import Service
from tests.support.browser import WCAG_22_AA
from tests.support.campaigns import add_tenant
from tests.support.email import email_identity
from tests.support.webchat import make_app


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 400, "height": 800})
    yield context.new_page()
    context.close()


def test_the_unsubscribe_page_is_accessible_in_welsh_and_changes_nothing_until_pressed(
    service: Service, page: Page
) -> None:
    tenant = add_tenant(service, "T1", language="cy")
    with service.database.engine.begin() as connection:
        identity = ensure_identity(connection, tenant, "cymro@example.org", service.engine.clock())
    path = f"/email/unsubscribe/{unsubscribe_token(service.settings, identity)}"
    client = TestClient(make_app(service))
    shown = client.get(path)
    assert shown.status_code == 200
    page.set_content(shown.text)
    assert page.locator("html").get_attribute("lang") == "cy"
    button = page.get_by_role("button", name="Stopio e-byst arolwg i'r cyfeiriad hwn")
    assert button.count() == 1
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    assert email_identity(service, "cymro@example.org").opted_out_at is None
    done = client.post(path)
    assert done.status_code == 200 and "ni fydd Riverside Homes yn anfon" in done.text
    assert email_identity(service, "cymro@example.org").opted_out_at is not None
