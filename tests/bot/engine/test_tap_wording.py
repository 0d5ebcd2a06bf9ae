"""Where a tenant taps or types (web chat, Telegram) no message tells them to "reply".

SMS keeps its numbered "Reply with a number" wording; on the other channels every
instruction reads "Choose" or "Type", in every language, and the consent card says how to
stop in those words.
"""

from __future__ import annotations

import re

import pytest

from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.service import Service
from tests.support.chat import Chat
from tests.support.services import FIXTURES

TAP_CHANNELS = ["webchat", "telegram"]
# Yes and No are buttons there: never words to send in capitals ("reply YES or NO").
REPLY_COMMAND = re.compile(r"\b(YES|NO)\b")
# Every reply the engine can meet: nonsense, consent, answers, commands, opt out and back in.
SCRIPT = ["???", "yes", "help", "99", "1", "maybe", "back", "1", "yes", "skip", "language"]
SCRIPT += ["1", "stop", "start"]


def _sms_instructions(language: str) -> list[str]:
    """The SMS-only instructions in `language`, cut before their first placeholder."""
    tr = translator(language)
    keys = [*texts.TAP_WORDING, texts.CONSENT_DETAILS, texts.REPLY_YES_NO]
    pieces = []
    for key in keys:
        piece = tr(key).split("{")[0].strip()
        shared = key in texts.TAP_WORDING and piece in tr(texts.TAP_WORDING[key])
        if len(piece) >= 12 and not shared:  # not words both wordings begin with
            pieces.append(piece)
    return pieces


def _forbidden(body: str, language: str) -> list[str]:
    found = [piece for piece in _sms_instructions(language) if piece in body]
    found += REPLY_COMMAND.findall(body)
    found += re.findall(r"\breply\b", body, flags=re.IGNORECASE)
    return found


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_tap_channel_message_says_reply(service: Service, language: str) -> None:
    service.registry.add_text((FIXTURES / "all_types.yaml").read_text(encoding="utf-8"), "all")
    # all_types has every question type (in English and Welsh); post_repair every language.
    questionnaires = ["post_repair"] + (["all_types"] if language in ("en", "cy") else [])
    for channel in TAP_CHANNELS:
        for questionnaire in questionnaires:
            chat = Chat(service.engine, channel=channel, address=f"{channel}-{questionnaire}")
            chat.start(questionnaire, language=language)
            for text in SCRIPT:
                chat.send(text)
            bodies = [body for _, body in chat.transcript]
            assert len(bodies) == len(SCRIPT) + 1
            for body in bodies:
                assert _forbidden(body, language) == [], (channel, questionnaire, body)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_consent_card_says_how_to_stop_in_tap_words(service: Service, language: str) -> None:
    chat = Chat(service.engine, channel="webchat", address="card")
    card = chat.start("post_repair", language=language)
    tr = translator(language)
    assert tr(texts.CONSENT_CARD_STOP) in card
    assert card.count(service.settings.landlord_name) == 1  # named once
    assert [button.label for button in chat.last[0].buttons] == [
        tr(texts.BUTTON_AGREE),
        tr(texts.BUTTON_NO_THANKS),
    ]


def test_sms_keeps_its_numbered_wording(service: Service) -> None:
    chat = Chat(service.engine, channel="sms")
    assert "Reply YES or NO." in chat.start("post_repair")
    question = chat.send("yes")
    assert "Reply with a number:" in question and "\n1 " in chat.last[0].body + "\n1 "
    assert all(not button.command for button in chat.last[0].buttons)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_tap_wording_in_the_catalogs_never_says_reply(language: str) -> None:
    """Every catalog string used where the tenant taps, in every language."""
    tr = translator(language)
    tap_keys = [
        *texts.TAP_WORDING.values(),
        texts.CONSENT_CARD_STOP,
        texts.CONSENT_CARD_QUESTION,
        texts.TELEGRAM_LINKED,
        texts.CHAT_COMMANDS_HINT,
    ]
    for key in tap_keys:
        assert _forbidden(tr(key), language) == [], key
