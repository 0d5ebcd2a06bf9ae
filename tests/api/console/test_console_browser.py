"""The officer console in a real headless Chromium (Playwright), served by a real uvicorn.

An officer signs in, creates and schedules a campaign for three tenants with SMS numbers;
the campaign tick invites them, the dispatcher sends through the fake Twilio API, Twilio
reports deliveries and a tenant answers, and the officer watches the numbers change on the
campaign's page. axe-core finds no WCAG 2.1 A/AA violation on any console page, and no page
scrolls sideways at tablet width.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from api.app import create_app
from bot.access import users
from bot.campaigns.tick import run_campaigns
from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.dispatch.store import record_delivery
from bot.engine.messages import InboundMessage
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import OutboundStatus
from channels.registry import ChannelRegistry
from channels.sms.sender import SmsChannel
from tests.support.auth import PASSWORD, add_tenant, add_user
from tests.support.browser import WCAG_21_AA
from tests.support.concerns import answer_post_repair
from tests.support.fakes.twilio_api import FakeTwilioApi, running_fake
from tests.support.live import live_server
from tests.support.services import Clock
from tests.support.twilio import twilio_settings

PHONES = ("+447700900201", "+447700900202", "+447700900203")
LIVE = 20_000  # ms: the page polls every 3 s


@pytest.fixture
def fake_twilio(clock: Clock) -> Iterator[FakeTwilioApi]:
    with running_fake(clock=clock) as fake:
        yield fake


@pytest.fixture
def sms(service: Service, settings: Settings, fake_twilio: FakeTwilioApi) -> SmsChannel:
    service.settings = twilio_settings(settings)
    channel = SmsChannel.from_settings(service.settings, http_client=fake_twilio.http_client())
    assert channel is not None
    return channel


@pytest.fixture
def base_url(service: Service, sms: SmsChannel) -> Iterator[str]:
    app = create_app(service.settings, service, ChannelRegistry([sms]), background=False)
    with live_server(lambda _url: app) as url:
        yield url


def new_page(browser: Browser, width: int) -> Page:
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/console/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def drain(service: Service, sms: SmsChannel, clock: Clock) -> DispatchStats:
    """Send what is due; in a thread of its own, since Playwright's loop runs in this one."""
    dispatcher = Dispatcher(service.database, {"sms": sms}, clock=clock)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, dispatcher.drain()).result(timeout=60)


def cell(page: Page, channel: str, count: str) -> Locator:
    return page.locator(f'#progress tr[data-channel="{channel}"] td[data-count="{count}"]')


def test_an_officer_schedules_a_campaign_and_watches_its_progress(
    browser: Browser,
    base_url: str,
    service: Service,
    clock: Clock,
    sms: SmsChannel,
    fake_twilio: FakeTwilioApi,
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    for number, phone in enumerate(PHONES, start=1):
        add_tenant(service, f"T-{number}", phone=phone)
    page = new_page(browser, 1280)
    sign_in(page, base_url, "officer@example.org")

    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Name").fill("Repair check November")
    page.get_by_label("Questionnaire").select_option("post_repair")
    local = clock.now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Starts").fill(local)  # London is on UTC in November
    page.get_by_label("Only these tenant references (optional)").fill("T-1, T-2, T-3")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Repair check November")
    expect(page.locator("#campaign-state")).to_have_text("draft")
    page.get_by_role("button", name="Schedule the campaign").click()
    expect(page.get_by_role("status").first).to_contain_text("now scheduled")
    expect(page.locator("#campaign-state")).to_have_text("scheduled")

    # The scheduler's tick starts the campaign and writes the invitations; the dispatcher
    # sends them to the fake Twilio API.
    report = run_campaigns(service, clock.now, available=["sms"])
    assert (report.started, report.invited) == (1, 3)
    clock.advance(minutes=1)  # invitations are spread over the tick's horizon
    stats = drain(service, sms, clock)
    assert stats.handled == 3
    assert {m.to for m in fake_twilio.messages} == set(PHONES)
    expect(page.locator("#campaign-state")).to_have_text("running", timeout=LIVE)
    expect(cell(page, "all", "targeted")).to_have_text("3", timeout=LIVE)
    expect(cell(page, "sms", "sent")).to_have_text("3", timeout=LIVE)
    expect(cell(page, "sms", "delivered")).to_have_text("0")

    # Twilio reports two deliveries; one tenant answers the invitation.
    with service.database.engine.begin() as connection:
        sids = [m.sid for m in fake_twilio.messages if m.to in PHONES[:2]]
        for sid in sids:
            record_delivery(connection, "sms", sid, OutboundStatus.DELIVERED, None, clock.now)
    expect(cell(page, "sms", "delivered")).to_have_text("2", timeout=LIVE)
    clock.advance(minutes=5)
    service.engine.handle(InboundMessage("sms", PHONES[0], "SMreply1", "yes", clock.now))
    expect(cell(page, "sms", "started")).to_have_text("1", timeout=LIVE)
    expect(page.locator("#progress-updated")).to_contain_text("Updated at")

    # Without JavaScript, the reload link shows the same numbers.
    page.get_by_role("link", name="Reload progress").click()
    expect(cell(page, "sms", "started")).to_have_text("1")
    expect(cell(page, "all", "delivered")).to_have_text("2")


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def assert_fits(page: Page) -> None:
    """Nothing scrolls the whole page sideways (wide tables scroll in their own box)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px too wide"


@pytest.mark.parametrize("width", [768, 1280])
def test_every_console_page_is_accessible(
    browser: Browser, base_url: str, service: Service, clock: Clock, width: int
) -> None:
    add_user(service, "admin@example.org", users.Role.ADMIN)
    add_tenant(service, "T-1")
    answer_post_repair(service, "5", "There is damp in the kitchen")
    page = new_page(browser, width)
    sign_in(page, base_url, "admin@example.org")
    page.goto(f"{base_url}/console/campaigns/new")
    page.get_by_label("Name").fill("Accessible")
    page.get_by_label("Starts").fill("2026-11-03T09:00")
    page.get_by_label("Hours messages may be sent").fill("9 to 5")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.get_by_role("alert")).to_contain_text("not created")
    assert_accessible(page)
    page.get_by_label("Hours messages may be sent").fill("09:00-20:00")
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.locator("#campaign-state")).to_have_text("draft")
    campaign_page = page.url
    page.goto(f"{base_url}/console/tenants/T-1")  # a view, so the audit log has an entry
    for path in (
        "/console/",
        "/console/campaigns",
        campaign_page.removeprefix(base_url),
        "/console/questionnaires",
        "/console/questionnaires/post_repair?language=ur&channel=sms",
        "/console/questionnaires/post_repair?language=cy&channel=telegram",
        "/console/tenants?q=T",
        "/console/tenants/T-1",
        "/console/concerns",
        "/console/exports",
        "/console/audit",
    ):
        page.goto(f"{base_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        assert_fits(page)
    page.goto(f"{base_url}/console/concerns")
    page.get_by_role("button", name="Acknowledge concern").first.click()
    expect(page.get_by_role("status").first).to_contain_text("acknowledged")
    assert_accessible(page)
