"""Where a tenant taps or types (web chat, Telegram) no message tells them to "reply".

SMS keeps its numbered "Reply with a number" wording; on the other channels every
instruction reads "Choose" or "Type", in every language, and the consent card says how to
stop in those words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass

import pytest

from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.questionnaire.model import LocalText
from bot.questionnaire.registry import load_questionnaire, questionnaire_files
from bot.service import Service
from bot.settings import DEFAULT_QUESTIONNAIRES
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


# "Reply with a number", "reply 0", in each language's own words, as the SMS catalog
# strings say it; "answer these 5 questions" stays, as it says nothing about how.
REPLY_WORDS = {
    "en": r"\breply\b",
    "cy": r"\batebwch (gyda|gydag|\d+(?! cwestiwn))",
    "pl": r"\bodpowiedz(,| liczb| mniejsz| \d)",
    "ro": r"răspundeți (cu|doar)",
    "pt": r"\bresponda (com|apenas|\d)",
    "zh": r"回复",
    "ar": r"الرد|أرسل",
    "pa": r"ਲਿਖ ਕੇ ਜਵਾਬ ਦਿਓ",
    "ur": r"لکھ کر جواب دیں",
    "bn": r"লিখে উত্তর দিন",
}


def _local_texts(value: object) -> Iterator[LocalText]:
    """Every per-language text in a questionnaire: titles, questions, hints, easy-read
    wording, re-ask messages, choice labels and picture words, consent, intro, outro."""
    if isinstance(value, LocalText):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            yield from _local_texts(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _local_texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _local_texts(item)


def _says_reply(text: str, language: str) -> list[str]:
    found = re.findall(REPLY_WORDS[language], text, flags=re.IGNORECASE)
    return found + REPLY_COMMAND.findall(text) + re.findall(r"\b(SKIP|STOP)\b", text)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_reply_words_are_those_the_sms_catalog_uses(language: str) -> None:
    """The patterns below really catch "reply" in each language: the SMS wording has it."""
    tr = translator(language)
    assert _says_reply(tr(texts.REPLY_WITH_NUMBER), language), tr(texts.REPLY_WITH_NUMBER)


@pytest.mark.parametrize("path", questionnaire_files([DEFAULT_QUESTIONNAIRES]), ids=str)
def test_no_shipped_questionnaire_text_says_reply(path: object) -> None:
    """Questionnaire texts reach every channel, so none may tell the tenant to "reply"."""
    questionnaire = load_questionnaire(path)  # type: ignore[arg-type]
    found = [
        (language, text)
        for local in _local_texts(questionnaire)
        for language, text in local.texts.items()
        if _says_reply(text, language)
    ]
    assert found == []
