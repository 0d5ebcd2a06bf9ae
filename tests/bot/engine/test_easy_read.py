"""Easy-read wording and pictures on every channel.

Web chat and Telegram show a choice's picture (or emoji) with the words that stand for it;
SMS sends the label words only, so an English prompt stays GSM-7. An easy-read
questionnaire gives everyone its easy-read wording; elsewhere a tenant whose stated
communication needs include easy read gets it wherever a question has it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import store
from bot.engine.render import Button
from bot.i18n.sms_encoding import Encoding
from bot.service import Service
from bot.storage.tables import IDENTITIES
from channels.sms.render import render_sms
from channels.telegram.sender import button_text
from tests.support.chat import Chat

EASY = "post_repair_easy_read"


@pytest.mark.parametrize("language", ["en", "cy", "ar"])
def test_web_chat_shows_pictures_and_easy_read_words(service: Service, language: str) -> None:
    questionnaire = service.registry.latest(EASY)
    fixed = questionnaire.question("fixed")
    chat = Chat(service.engine, channel="webchat", address=f"web-{language}")
    chat.start(EASY, language=language)
    body = chat.send("yes")
    assert fixed.easy_read is not None and fixed.easy_read.get(language) in body
    assert fixed.text.get(language) not in body
    up, down = (button for button in chat.last[0].buttons if not button.command)
    assert up.image == f"{EASY}/images/thumbs_up.svg" and down.image.endswith("thumbs_down.svg")
    assert fixed.choices is not None
    assert up.label == fixed.choices.choices[0].picture.alt.get(language)  # type: ignore[union-attr]
    assert Button.from_stored(up.stored()) == up  # the outbox keeps picture and words
    chat.send("1")
    chat.send("1")
    came = next(button for button in chat.last[0].buttons if button.reply == "1")
    assert came.emoji == "✅" and not came.image


def test_typed_picture_words_answer_the_question(service: Service) -> None:
    chat = Chat(service.engine, channel="webchat", address="typed")
    chat.start(EASY, language="en")
    chat.send("yes")
    after = chat.send("No, it is not fixed")
    feeling = service.registry.latest(EASY).question("feeling").easy_read
    assert feeling is not None and feeling.get("en") in after


def test_sms_sends_words_only_and_stays_gsm7(service: Service) -> None:
    chat = Chat(service.engine, channel="sms", address="+447700900555")
    chat.start(EASY, language="en")
    sent = []
    for text in ("yes", "1", "1"):
        chat.send(text)
        sent.append(render_sms(chat.last[0]))
    assert sent[0].body.startswith("Is it fixed now?") and "\n1 Yes\n2 No" in sent[0].body
    assert "\n1 Yes\n2 No" in sent[2].body and "✅" not in sent[2].body
    for sms in sent:
        assert sms.encoding is Encoding.GSM7 and sms.segments <= 2, sms.body


def test_telegram_buttons_carry_the_emoji_and_words(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram", address="4242")
    chat.start(EASY, language="cy")
    for text in ("yes", "1", "1"):
        chat.send(text)
    came = next(button for button in chat.last[0].buttons if button.reply == "1")
    assert button_text(came) == "1 ✅ Do, daethoch chi'r diwrnod hwnnw"
    fixed = Button("1", "Ydy", image=f"{EASY}/images/thumbs_up.svg")
    assert button_text(fixed) == "1 Ydy"  # a picture file is not sent: its words are


def test_a_tenant_who_needs_easy_read_gets_it_where_written(service: Service) -> None:
    """all_types has easy-read wording on one question; only this tenant reads it."""
    questionnaire = service.registry.latest("all_types")
    question = next(q for q in questionnaire.questions if q.easy_read is not None)
    assert question.easy_read is not None
    plain = Chat(service.engine, channel="webchat", address="plain")
    needs = Chat(service.engine, channel="webchat", address="needs")
    for chat in (plain, needs):
        chat.start("all_types", language="en")
    with service.database.engine.begin() as connection:
        respondent = connection.execute(
            select(IDENTITIES.c.respondent_id).where(IDENTITIES.c.address == "needs")
        ).scalar_one()
        now = service.engine.clock()
        store.set_profile(connection, respondent, "communication_needs", ["easy_read"], "test", now)
    bodies = {chat.address: chat.send("yes") for chat in (plain, needs)}
    assert question.easy_read.get("en") in bodies["needs"]
    assert question.text.get("en") in bodies["plain"]
    assert question.easy_read.get("en") not in bodies["plain"]
