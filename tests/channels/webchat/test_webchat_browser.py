"""The web chat in a real headless Chromium (Playwright), served by a real uvicorn.

A tenant completes the repair survey with the mouse, with the keyboard only, with
JavaScript turned off, and in Urdu (right to left); axe-core finds no WCAG 2.2 A/AA
violation on the chat's pages. Runs on SQLite and PostgreSQL like every database test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bot.service import Service
from bot.settings import Settings
from tests.support.browser import WCAG_22_AA
from tests.support.webchat import current_answers, invite_for, live_chat, new_tenant

DONE = "Your answers have been saved."


@pytest.fixture
def base_url(service: Service, settings: Settings) -> Iterator[str]:
    """A real uvicorn serving the web chat, its public URL in the settings."""

    with live_chat(service, settings, environment="development") as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 800, "height": 900})
    yield context.new_page()
    context.close()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()


def log(page: Page) -> str:
    return page.locator("#log").inner_text()


def click_answer(page: Page, value: str, expected: str) -> None:
    page.locator(f'#answer button[name="reply"][value="{value}"]').click()
    expect(page.locator("#log")).to_contain_text(expected)


def type_answer(page: Page, text: str, expected: str) -> None:
    page.locator("#reply").fill(text)
    page.locator("form.typed button[type=submit]").click()
    expect(page.locator("#log")).to_contain_text(expected)


def test_mouse_from_the_public_chat_page(page: Page, base_url: str, service: Service) -> None:
    page.goto(f"{base_url}/chat")
    assert_accessible(page)  # the questionnaire chooser
    page.get_by_role("button", name="Repair follow-up").click()
    expect(page.locator("#log")).to_contain_text("Do you agree to take part?")
    assert_accessible(page)  # a question with buttons and the typed-answer form
    click_answer(page, "Yes", "your recent repair?")
    click_answer(page, "1", "right first time")
    # The tapped option is shown as its label in the transcript, read out as "You said:".
    expect(page.locator(".from-you").last).to_contain_text("Very satisfied")
    click_answer(page, "Yes", "appointment")
    click_answer(page, "No", "polite")
    click_answer(page, "1", "anything else you want")
    type_answer(page, "The plumber was quick", DONE)
    assert page.url == f"{base_url}/chat"  # every reply went by fetch, no reload
    answers = current_answers(service)
    assert answers["repair_overall"] == 1 and answers["appointment_kept"] is False
    assert answers["comment"] == "The plumber was quick"


def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab until the focused element matches `selector` (keyboard only)."""
    for _ in range(presses):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def assert_focus_visible(page: Page) -> None:
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused control shows no focus ring"


def keyboard_choose(page: Page, value: str, expected: str) -> None:
    tab_to(page, f'button[name="reply"][value="{value}"]')
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text(expected)


def test_keyboard_only_with_a_personal_link(page: Page, base_url: str, service: Service) -> None:
    token = invite_for(service, new_tenant(service))
    page.goto(f"{base_url}/chat/{token}")
    expect(page.locator("#log")).to_contain_text("Do you agree to take part?")
    # The first Tab reaches the skip link, which jumps past the transcript to the answers.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip')")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    keyboard_choose(page, "Yes", "your recent repair?")
    keyboard_choose(page, "2", "right first time")
    keyboard_choose(page, "No", "appointment")
    keyboard_choose(page, "Yes", "polite")
    keyboard_choose(page, "3", "anything else you want")
    tab_to(page, "#reply")
    assert_focus_visible(page)
    page.keyboard.type("Please call before coming")
    page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text(DONE)
    answers = current_answers(service)
    assert answers["repair_overall"] == 2 and answers["operative_conduct"] == 3
    assert answers["comment"] == "Please call before coming"


def test_javascript_disabled_plain_form_posts(
    browser: Browser, base_url: str, service: Service
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    token = invite_for(service, new_tenant(service))
    page.goto(f"{base_url}/chat/{token}")
    expect(page.locator("#log")).to_contain_text("Do you agree to take part?")
    for value, expected in (
        ("Yes", "your recent repair?"),
        ("4", "right first time"),
        ("Yes", "appointment"),
        ("Yes", "polite"),
        ("2", "anything else you want"),
    ):
        page.locator(f'button[name="reply"][value="{value}"]').click()
        page.wait_for_load_state()
        expect(page.locator("#log")).to_contain_text(expected)
        assert "#m-" in page.url  # each answer was a full post, redirected to the newest message
    page.locator("#reply").fill("No comment")
    page.locator("form.typed button[type=submit]").click()
    expect(page.locator("#log")).to_contain_text(DONE)
    # 320 px wide (the width of 1280 px at 400% zoom): nothing needs sideways scrolling.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320
    context.close()
    answers = current_answers(service)
    assert answers["repair_overall"] == 4 and answers["comment"] == "No comment"


def test_urdu_right_to_left(page: Page, base_url: str, service: Service) -> None:
    token = invite_for(service, new_tenant(service))
    page.goto(f"{base_url}/chat/{token}")
    page.get_by_label("Language").select_option("ur")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    assert_accessible(page)
    yes = "#answer .options li:first-child button"
    page.locator(yes).click()
    expect(page.locator("#log")).to_contain_text("آپ حالیہ مرمت سے کتنے مطمئن ہیں؟")
    # Right to left: the landlord's messages sit on the right, the tenant's on the left.
    them = page.locator(".from-them").last.bounding_box()
    you = page.locator(".from-you").last.bounding_box()
    assert them is not None and you is not None
    assert them["x"] + them["width"] > you["x"] + you["width"]
    for value in ("1", "Yes", "Yes", "1"):
        before = page.locator("#log .message").count()
        target = yes if value == "Yes" else f'#answer button[value="{value}"]'
        page.locator(target).click()
        expect(page.locator("#log .message")).to_have_count(before + 2)
    page.locator("#reply").fill("بہت اچھا کام")
    page.locator("form.typed button[type=submit]").click()
    expect(page.locator("#answer .notice")).to_be_visible()
    assert_accessible(page)  # the finished conversation, in Urdu
    answers = current_answers(service)
    assert answers["repair_overall"] == 1 and answers["comment"] == "بہت اچھا کام"


def test_error_pages_are_accessible(page: Page, base_url: str) -> None:
    response = page.goto(f"{base_url}/chat/no-such-invite")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Sorry")
    assert_accessible(page)


def test_tick_boxes_for_several_answers(page: Page, base_url: str, service: Service) -> None:
    page.goto(f"{base_url}/chat")
    page.get_by_role("button", name="Every question type").click()
    click_answer(page, "Yes", "How satisfied are you?")
    click_answer(page, "1", "How many people live with you?")
    type_answer(page, "2", "What is your weekly rent?")
    type_answer(page, "12.50", "When did you move in?")
    type_answer(page, "01/02/2020", "Any communication needs?")
    assert_accessible(page)  # a fieldset of labelled tick boxes
    page.get_by_label("Large print").check()
    page.get_by_label("Interpreter").check()
    page.get_by_role("button", name="Send my choices").click()
    expect(page.locator("#log")).to_contain_text("Which language for the interpreter?")
    expect(page.locator(".from-you").last).to_contain_text("Large print, Interpreter")
    assert current_answers(service)["needs"] == [1, 3]
