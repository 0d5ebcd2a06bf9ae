"""The invitation email's HTML in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA
violation in English, Welsh and Arabic (right to left), and the words are the tenant's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from bot.i18n.translate import translator
from bot.outreach.email_message import EmailContent, Invitation, compose
from tests.support.browser import WCAG_22_AA

URL = "https://survey.riverside.example/chat/AbCdEfGhIjKlMnOpQrStUv"


def invitation(reminder: bool = False) -> Invitation:
    return Invitation(
        landlord="Riverside Homes",
        title="Repair follow-up",
        minutes=2,
        url=URL,
        unsubscribe_url="https://survey.riverside.example/email/unsubscribe/7.abc",
        unsubscribe="7.abc",
        brand_colour="#0b4f8a",
        reminder=reminder,
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 400, "height": 800})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("language", "direction", "start"),
    [
        ("en", "ltr", "Start the survey"),
        ("cy", "ltr", "Dechrau'r arolwg"),
        ("ar", "rtl", "ابدأ الاستبيان"),
    ],
)
def test_the_email_is_accessible_in_the_tenant_s_language(
    page: Page, language: str, direction: str, start: str
) -> None:
    email = compose(translator(language), invitation())
    page.set_content(email.html)
    root = page.locator("html")
    assert root.get_attribute("lang") == language and root.get_attribute("dir") == direction
    link = page.get_by_role("link", name=start)
    assert link.get_attribute("href") == URL
    assert page.locator("img").count() == 0
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    assert URL in email.text and start in email.text


def test_the_reminder_says_so_and_the_body_survives_the_outbox() -> None:
    first = compose(translator("en"), invitation())
    again = compose(translator("en"), invitation(reminder=True))
    assert again.subject == "A reminder from Riverside Homes: Repair follow-up"
    assert again.subject != first.subject and "still like" in again.text
    assert EmailContent.from_body(again.to_body()) == again
