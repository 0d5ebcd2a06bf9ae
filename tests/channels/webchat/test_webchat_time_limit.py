"""WCAG 2.2.1 Timing Adjustable: the web chat warns before a conversation closes and gives
more time, in real Chromium, with the test clock standing in for the passing week.

Without JavaScript the page says how long is left and that answers are kept (reload and
carry on); a page rendered inside the warning window shows the warning and its button.
With JavaScript the warning appears by itself in a polite live region when the time comes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from bot.i18n import texts
from bot.i18n.translate import translator
from bot.service import Service
from bot.settings import Settings
from bot.storage.tables import SESSIONS
from tests.support.browser import WCAG_22_AA
from tests.support.chat_browser import ARTIFACTS
from tests.support.services import Clock
from tests.support.webchat import current_answers, invite_for, live_chat, new_tenant

WARNING_MINUTES = 10


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """Pages in their own contexts, closed after the test even when it fails (and before
    the live server stops, which would otherwise wait for their open connections)."""
    del base_url  # only its order: this fixture's teardown runs first
    contexts: list[BrowserContext] = []

    def make(**options: object) -> Page:
        contexts.append(browser.new_context(**options))  # type: ignore[arg-type]
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def base_url(service: Service, settings: Settings) -> Iterator[str]:
    with live_chat(service, settings, webchat_expiry_warning_minutes=WARNING_MINUTES) as url:
        yield url


def _expires_at(service: Service) -> datetime.datetime:
    with service.database.engine.connect() as connection:
        found = connection.execute(select(SESSIONS.c.expires_at)).scalar_one()
    return found if found.tzinfo else found.replace(tzinfo=datetime.UTC)


def _open(page: Page, base_url: str, service: Service, language: str) -> None:
    """A conversation in `language`, consent given, at its first question."""
    tr = translator(language)
    page.goto(f"{base_url}/chat/{invite_for(service, new_tenant(service))}?lang={language}")
    page.locator(f'#answer button[value="{tr(texts.BUTTON_YES)}"]').click()
    expect(page.locator("#answer button.option").first).to_be_visible()


def _shot(page: Page, name: str, *, axe: bool = True) -> None:
    """A screenshot; axe (which needs JavaScript in the page) checks the JavaScript runs,
    whose warning is the same markup the page renders without it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if axe:
        results = Axe().run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["cy", "ar"])
def test_without_javascript_the_page_warns_and_gives_more_time(
    new_page: Callable[..., Page], base_url: str, service: Service, clock: Clock, language: str
) -> None:
    tr = translator(language)
    page = new_page(viewport={"width": 320, "height": 900}, java_script_enabled=False)
    _open(page, base_url, service, language)
    time = page.locator("#time")
    expect(time).to_contain_text(tr(texts.CHAT_TIME_LEFT).split("{time}")[0].strip())
    expect(page.locator("#time-warning")).to_have_text("")
    # A week later, nine minutes before the conversation closes, the tenant reloads.
    clock.advance(days=7, minutes=-9)
    page.reload()
    warning = page.locator("#time-warning")
    expect(warning).to_have_attribute("role", "status")
    expect(warning).to_contain_text(tr(texts.CHAT_TIME_WARNING).split("{time}")[0].strip())
    _shot(page, f"time-{language}-nojs-warning", axe=False)
    page.get_by_role("button", name=tr(texts.CHAT_MORE_TIME)).click()
    expect(time).to_contain_text(tr(texts.CHAT_TIME_EXTENDED).split("{time}")[0].strip())
    expect(page.locator("#time-warning")).to_have_text("")
    _shot(page, f"time-{language}-nojs-extended", axe=False)
    assert _expires_at(service) == clock.now + datetime.timedelta(days=7)
    # Nothing was lost: the question still waits, and answering it works.
    page.locator('#answer button[value="1"]').click()
    expect(page.locator("#log .from-them").last).to_contain_text(
        tr(texts.PROGRESS, number=2, total=5)
    )
    assert current_answers(service) == {"repair_overall": 1}


def test_with_javascript_the_warning_appears_in_a_live_region(
    new_page: Callable[..., Page], base_url: str, service: Service, clock: Clock
) -> None:
    tr = translator("cy")
    page = new_page(viewport={"width": 1280, "height": 900})
    _open(page, base_url, service, "cy")
    # Two seconds before the warning is due: the page is loaded with nothing to warn about.
    clock.advance(days=7, minutes=-WARNING_MINUTES, seconds=-2)
    page.reload()
    warning = page.locator("#time-warning")
    expect(warning).to_have_text("")
    expect(warning).to_contain_text(
        tr(texts.CHAT_TIME_WARNING).split("{time}")[0].strip(), timeout=10_000
    )
    focused = page.evaluate("() => document.activeElement?.id || document.activeElement?.tagName")
    assert focused != "time-warning"  # announced politely; focus stays where the tenant was
    _shot(page, "time-cy-js-warning")
    page.get_by_role("button", name=tr(texts.CHAT_MORE_TIME)).click()
    expect(page.locator("#time")).to_contain_text(
        tr(texts.CHAT_TIME_EXTENDED).split("{time}")[0].strip()
    )
    _shot(page, "time-cy-js-extended")
    assert _expires_at(service) == clock.now + datetime.timedelta(days=7)
