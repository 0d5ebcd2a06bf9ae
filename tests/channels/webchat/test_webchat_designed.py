"""The post-repair survey as a designed conversation, in real Chromium.

In Welsh and Arabic, at 320 and 1280 px, with the mouse, the keyboard only and JavaScript
off: the consent card's I agree button, answers, "Change my last answer", "Skip this
question", a typed comment, one thank-you. axe-core (WCAG 2.2 A/AA tags) checks every
state in the mouse runs; screenshots of every state go to test-artifacts/webchat/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bot.i18n import texts
from bot.i18n.translate import translator
from bot.service import Service
from bot.settings import Settings
from tests.support.chat_browser import ARTIFACTS, Tenant
from tests.support.webchat import current_answers, invite_for, live_chat, new_tenant


@pytest.fixture
def base_url(service: Service, settings: Settings) -> Iterator[str]:
    with live_chat(service, settings) as url:
        yield url


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["cy", "ar"])
@pytest.mark.parametrize("mode", ["mouse", "keyboard", "nojs"])
def test_post_repair_survey_completed(
    browser: Browser, base_url: str, service: Service, mode: str, language: str, width: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=mode != "nojs"
    )
    page = context.new_page()
    tr = translator(language)
    questionnaire = service.registry.latest("post_repair")

    def asks(name: str) -> str:
        return questionnaire.question(name).text.get(language).split("${")[0][:20]

    name = f"{language}-{width}-{mode}"
    tenant = Tenant(page, mode, name, check_axe=mode == "mouse")
    token = invite_for(service, new_tenant(service))
    page.goto(f"{base_url}/chat/{token}?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    card = page.locator("#log .from-them").last
    expect(card).to_contain_text(tr(texts.CONSENT_CARD_STOP))
    # The privacy notice is a link named in words, not a bare address.
    expect(
        card.get_by_role("link", name=tr(texts.CONSENT_CARD_PRIVACY).split(":")[0])
    ).to_be_visible()
    tenant.record()
    agree = f'button[value="{tr(texts.BUTTON_YES)}"]'
    tenant.press(agree, asks("repair_overall"))
    tenant.press('button[value="1"]', tr(texts.PROGRESS, number=2, total=5))
    tenant.press(agree, asks("appointment_kept"))
    # Change my last answer: the previous question comes back, still "2 of 5".
    tenant.press('button.command[value="back"]', asks("right_first_time"))
    expect(page.locator("#log .from-them").last).to_contain_text(
        tr(texts.PROGRESS, number=2, total=5)
    )
    tenant.press(f'button[value="{tr(texts.BUTTON_NO)}"]', asks("appointment_kept"))
    tenant.press('button.command[value="skip"]', asks("operative_conduct"))
    tenant.press('button[value="2"]', asks("comment"))
    tenant.type("Diolch / شكرا", tr(texts.SAVED))
    expect(page.locator("html")).to_have_attribute("lang", language)  # still theirs at the end
    ending = page.locator("#log .from-them").last.inner_text()
    assert ending.count(questionnaire.outro.get(language).split(".")[0]) == 1  # type: ignore[union-attr]
    context.close()
    answers = current_answers(service)
    assert answers["repair_overall"] == 1 and answers["right_first_time"] is False
    assert answers["appointment_kept"] is None and answers["operative_conduct"] == 2
    assert Path(ARTIFACTS / f"{name}-01.png").exists()


TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
SMALL_TARGETS = """() => [...document.querySelectorAll('button, input, select, a')]
  .filter(e => !e.closest('p') || e.closest('.help, .landlord') || e.matches('.link-button'))
  .filter(e => e.offsetParent !== null && !e.matches('input[type=hidden]'))
  .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24).map(([html]) => html)"""
HIDDEN_TEXT = """() => [...document.querySelectorAll('button, label, legend, .message, h1, .hint')]
  .filter(e => !e.matches('.visually-hidden'))
  .filter(e => e.offsetParent !== null && (e.scrollWidth > e.clientWidth + 1
    || e.scrollHeight > e.clientHeight + 1) && getComputedStyle(e).overflow === 'hidden')
  .map(e => e.outerHTML.slice(0, 60))"""
STICKY = """() => [...document.querySelectorAll('*')]
  .filter(e => ['fixed', 'sticky'].includes(getComputedStyle(e).position))
  .map(e => e.outerHTML.slice(0, 60))"""


@pytest.mark.parametrize("language", ["cy", "ar"])
def test_targets_focus_and_text_spacing_at_320_px(
    browser: Browser, base_url: str, service: Service, language: str
) -> None:
    # bypass_csp: the test (like a reader's own style sheet) adds the text-spacing styles.
    context = browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
    page = context.new_page()
    tr = translator(language)
    page.goto(f"{base_url}/chat/{invite_for(service, new_tenant(service))}?lang={language}")
    page.locator(f'#answer button[value="{tr(texts.BUTTON_YES)}"]').click()
    page.locator('#answer button[value="1"]').click()
    expect(page.locator("#answer button.command")).to_have_count(2)  # Skip and Back
    # 2.5.8: every control at least 24 by 24 px; 2.4.11: nothing sticky can cover focus.
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(STICKY) == []
    # 1.4.12: with the WCAG text-spacing overrides nothing is cut off or scrolls sideways.
    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate(HIDDEN_TEXT) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{language}-320-text-spacing.png"), full_page=True)
    context.close()
