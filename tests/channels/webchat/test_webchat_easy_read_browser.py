"""The easy-read post-repair survey in real Chromium, with pictures.

In Welsh and Arabic, at 320 and 1280 px, with the mouse, the keyboard only and JavaScript
off: every picture choice is a button named by its words (shown beside the picture), the
emoji is hidden from screen readers, and the survey completes. axe-core (WCAG 2.2 A/AA)
checks every state in the mouse runs; screenshots go to test-artifacts/webchat/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.i18n import texts
from bot.i18n.translate import translator
from bot.questionnaire.model import Questionnaire
from bot.service import Service
from bot.settings import Settings
from tests.support.chat_browser import ARTIFACTS, Tenant
from tests.support.webchat import current_answers, invite_for, live_chat, new_tenant

EASY = "post_repair_easy_read"


@pytest.fixture
def base_url(service: Service, settings: Settings) -> Iterator[str]:
    with live_chat(service, settings) as url:
        yield url


def _alt(questionnaire: Questionnaire, question: str, code: int, language: str) -> str:
    choices = questionnaire.question(question).choices
    assert choices is not None
    choice = choices.by_code(code)
    assert choice is not None and choice.picture is not None
    return choice.picture.alt.get(language)


def _check_pictures(page: Page, questionnaire: Questionnaire, language: str) -> None:
    """Each picture choice: a button whose accessible name and visible text are its words."""
    for code, picture in ((1, "thumbs_up"), (2, "thumbs_down")):
        words = _alt(questionnaire, "fixed", code, language)
        button = page.get_by_role("button", name=words, exact=True)
        expect(button).to_be_visible()
        expect(button).to_have_text(words)
        image = button.locator("img")
        expect(image).to_have_attribute("src", f"/chat/pictures/{EASY}/images/{picture}.svg")
        loaded = image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, f"{picture}.svg did not load"


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["cy", "ar"])
@pytest.mark.parametrize("mode", ["mouse", "keyboard", "nojs"])
def test_easy_read_survey_completed(
    browser: Browser, base_url: str, service: Service, mode: str, language: str, width: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=mode != "nojs"
    )
    page = context.new_page()
    tr = translator(language)
    questionnaire = service.registry.latest(EASY)

    def asks(name: str) -> str:
        wording = questionnaire.question(name).easy_read
        assert wording is not None
        return wording.get(language)

    name = f"easy-{language}-{width}-{mode}"
    tenant = Tenant(page, mode, name, check_axe=mode == "mouse")
    page.goto(f"{base_url}/chat/{invite_for(service, new_tenant(service), EASY)}?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    tenant.record()
    tenant.press(f'button[value="{tr(texts.BUTTON_YES)}"]', asks("fixed"))
    _check_pictures(page, questionnaire, language)
    tenant.press('button[value="1"]', asks("feeling"))
    tenant.press('button[value="1"]', asks("on_the_day"))
    emoji = page.locator("#answer .emoji").first
    expect(emoji).to_have_attribute("aria-hidden", "true")
    words = _alt(questionnaire, "on_the_day", 1, language)
    expect(page.get_by_role("button", name=words, exact=True)).to_be_visible()
    tenant.press('button[value="1"]', asks("comment"))
    tenant.type("Diolch / شكرا", tr(texts.SAVED))
    outro = questionnaire.outro
    assert outro is not None
    expect(page.locator("#log .from-them").last).to_contain_text(outro.get(language))
    context.close()
    assert current_answers(service) == {
        "fixed": 1,
        "feeling": 1,
        "on_the_day": 1,
        "comment": "Diolch / شكرا",
    }
    assert (ARTIFACTS / f"{name}-01.png").exists()
