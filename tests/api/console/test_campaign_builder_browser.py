"""Issue 14's acceptance in a real headless Chromium: an officer builds a campaign with
filters and a margin entirely in the console, watches the audience size and the estimate
change as the audience changes (Welsh and Urdu cost more SMS parts), schedules it and
downloads the letter list, with JavaScript on and with it off. axe (WCAG 2.2 A/AA) finds
nothing on the builder and the campaign page at 768 and 1280 px.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from bot.access import users
from bot.service import Service
from bot.settings import Settings
from channels.registry import ChannelRegistry
from channels.sms.sender import SmsChannel
from tests.support.auth import PASSWORD, add_user
from tests.support.campaigns import add_tenant, phone
from tests.support.fakes.twilio_api import running_fake
from tests.support.live import live_server
from tests.support.services import Clock
from tests.support.twilio import twilio_settings

WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


@pytest.fixture
def base_url(service: Service, settings: Settings, clock: Clock) -> Iterator[str]:
    with running_fake(clock=clock) as fake:
        service.settings = twilio_settings(settings).model_copy(update={"sms_price_per_part": 0.04})
        sms = SmsChannel.from_settings(service.settings, http_client=fake.http_client())
        assert sms is not None
        app = create_app(service.settings, service, ChannelRegistry([sms]), background=False)
        with live_server(lambda _url: app) as url:
            yield url


def tenants(service: Service) -> None:
    for number, (area, language) in enumerate(
        [("North", "en"), ("North", "en"), ("South", "cy"), ("South", "ur")]
    ):
        add_tenant(service, f"T-{number}", sms=phone(number), language=language,
                   attributes={"area": area})  # fmt: skip
    add_tenant(service, "T-9", attributes={"area": "South", "preferred_channel": "letter"})


def signed_in(browser: Browser, base_url: str, *, javascript: bool, width: int = 1280) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(f"{base_url}/console/login")
    page.get_by_label("Email address").fill("officer@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    return page


def assert_accessible(page: Page) -> None:
    """No axe violation, and nothing scrolls the whole page sideways."""
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px too wide"


def parts(page: Page) -> int:
    return int(page.locator("#estimate-parts").inner_text())


def audience_is(page: Page, javascript: bool, size: str) -> None:
    if not javascript:
        page.get_by_role("button", name="Check the estimate").click()
    expect(page.locator("#estimate-audience")).to_have_text(size)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_officer_builds_estimates_schedules_and_downloads_the_letter_list(
    browser: Browser, base_url: str, service: Service, clock: Clock, javascript: bool
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    tenants(service)
    page = signed_in(browser, base_url, javascript=javascript)
    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Name").fill("Damp and repairs, winter")
    page.get_by_label("Questionnaire").select_option(label="Repair follow-up")
    page.get_by_label("Starts").fill(clock.now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Areas", exact=True).fill("North")
    audience_is(page, javascript, "2")
    english = parts(page)
    expect(page.locator("#estimate-languages")).to_contain_text("English")

    page.get_by_label("Areas", exact=True).fill("South")
    audience_is(page, javascript, "3")
    expect(page.locator("#estimate-languages")).to_contain_text("اردو")
    expect(page.locator("#estimate-languages")).to_contain_text("Cymraeg")
    assert parts(page) > english
    expect(page.locator("#estimate-unreachable")).to_contain_text("asked to be contacted by letter")
    expect(page.locator("#estimate-offline")).to_contain_text("1 want a letter")

    page.get_by_label("Enough for a margin of error").check()
    page.get_by_label("Margin of error (%)", exact=True).fill("5")
    audience_is(page, javascript, "3")
    expect(page.locator("#estimate-responses")).to_have_text("3")
    page.get_by_role("button", name="Create the campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Damp and repairs, winter")
    expect(page.locator("#campaign-audience")).to_have_text("3")
    page.get_by_role("button", name="Schedule the campaign").click()
    expect(page.locator("#campaign-state")).to_have_text("scheduled")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter and call list (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["Tenant reference", "Name", "Asked for", "Why they were not messaged"]
    letter = "The tenant asked to be contacted by letter, not by message: write to them."
    assert rows[1:] == [["T-9", "", "a letter", letter, "", "", "", ""]]


@pytest.mark.parametrize("width", [768, 1280])
def test_the_builder_and_the_campaign_page_are_accessible(
    browser: Browser, base_url: str, service: Service, clock: Clock, width: int
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    tenants(service)
    page = signed_in(browser, base_url, javascript=True, width=width)
    page.goto(f"{base_url}/console/campaigns/new")
    page.get_by_label("Name").fill("Accessible")
    page.get_by_label("Starts").fill(clock.now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Areas", exact=True).fill("South")
    expect(page.locator("#estimate-audience")).to_have_text("3")
    assert_accessible(page)
    page.get_by_label("Enough for a margin of error").check()
    page.get_by_label("Margin of error (%)", exact=True).fill("four")
    expect(page.locator("#estimate")).to_contain_text("percentage such as 4")
    assert_accessible(page)
    page.get_by_label("Margin of error (%)", exact=True).fill("5")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.locator("#campaign-state")).to_have_text("draft")
    assert_accessible(page)
    page.goto(f"{base_url}/console/campaigns")
    assert_accessible(page)


@pytest.mark.parametrize("width", [768, 1280])
def test_the_changed_console_pages_are_accessible(
    browser: Browser, base_url: str, service: Service, width: int
) -> None:
    add_user(service, "officer@example.org", users.Role.ADMIN)
    tenants(service)
    page = signed_in(browser, base_url, javascript=True, width=width)
    page.goto(f"{base_url}/console/tenants/T-2")  # a view, so the audit log has an entry
    for path in (
        "/console/tenants",
        "/console/tenants?language=ur",
        "/console/tenants/T-3",
        "/console/questionnaires",
        "/console/questionnaires/post_repair?language=ur&channel=sms",
        "/console/exports",
        "/console/exports?download=1&questionnaire=post_repair&date_from=soon",
        "/console/audit",
        "/console/no-such-page",
        "/console/campaigns/999",
    ):
        page.goto(f"{base_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
