"""Telegram: a blocked bot, a stale button in the tenant's language, the language menu once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from api.app import create_app
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.service import Service
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.models import ChannelIdentity, OutboundRecord, OutboundStatus, Session
from bot.storage.models import SessionState as State
from channels.registry import ChannelRegistry
from channels.telegram.updates import ALLOWED_UPDATES
from tests.support.fakes.telegram_api import (
    BOT_USERNAME,
    FakeTelegramAPI,
    callback_update,
    member_update,
)
from tests.support.telegram import CHAT, SECRET, Telegram


@pytest.fixture
def telegram(settings: Settings, service: Service) -> Iterator[Telegram]:
    fake = FakeTelegramAPI().start()
    tg_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(fake.token),
            "telegram_secret_token": SecretStr(SECRET),
            "telegram_api_base_url": fake.base_url,
            "telegram_bot_username": BOT_USERNAME,
        }
    )
    tg_service = Service(tg_settings, service.database, service.registry, service.engine)
    app = create_app(tg_settings, tg_service, ChannelRegistry(), background=False)
    try:
        with TestClient(app) as client:
            yield Telegram(client, fake, tg_service)
    finally:
        fake.stop()


def test_blocking_the_bot_opts_the_chat_out_and_ends_its_survey_at_once(
    telegram: Telegram,
) -> None:
    telegram.say("REPAIR")
    telegram.tap("Yes")
    assert telegram.post(member_update(CHAT, "kicked")) == 200
    with telegram.service.database.sessions() as session:
        identity = session.scalars(select(ChannelIdentity)).one()
        survey = session.scalars(select(Session)).one()
        queued = session.scalars(
            select(OutboundRecord).where(OutboundRecord.status == OutboundStatus.PENDING.value)
        ).all()
    assert identity.opted_out_at is not None
    assert survey.state == State.OPTED_OUT
    assert queued == []
    sent = len(telegram.fake.sent(CHAT))
    telegram.deliver()
    assert len(telegram.fake.sent(CHAT)) == sent  # nothing more goes out


def test_unblocking_or_an_unknown_chat_changes_nothing(telegram: Telegram) -> None:
    assert telegram.post(member_update(CHAT + 1, "kicked")) == 200  # never seen: nothing
    telegram.say("REPAIR")
    assert telegram.post(member_update(CHAT, "member")) == 200
    with telegram.service.database.sessions() as session:
        assert session.scalars(select(ChannelIdentity.opted_out_at)).all() == [None]


def test_my_chat_member_is_asked_for_when_polling_and_in_the_readme() -> None:
    assert "my_chat_member" in ALLOWED_UPDATES
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert 'allowed_updates=["message","callback_query","my_chat_member"]' in readme


@pytest.mark.parametrize("language", ["cy", "zh"])
def test_a_stale_button_says_in_the_tenants_language_that_the_chat_moved_on(
    telegram: Telegram, language: str
) -> None:
    telegram.say("REPAIR", language_code=language)
    consent = telegram.fake.sent(CHAT)[-1]
    telegram.tap("Yes", language_code=language)
    stale = callback_update(CHAT, consent, "Yes", language_code=language)
    assert telegram.post(stale) == 200
    said = telegram.fake.calls_to("answerCallbackQuery")[-1]["text"]
    assert said == translator(language)(texts.TELEGRAM_MOVED_ON)
    assert said != texts.TELEGRAM_MOVED_ON


def test_the_language_menu_lists_each_language_once(telegram: Telegram) -> None:
    telegram.say("REPAIR")
    telegram.say("LANGUAGE")
    menu = telegram.last_text()
    for language in LANGUAGES.values():
        assert menu.count(language.native_name) == 1, language.native_name
