"""Telegram end to end: the real python-telegram-bot against a local fake Bot API.

Updates go in through `POST /webhooks/telegram` (or long polling); replies come out of the
outbox through `TelegramChannel`, which talks HTTP to the fake on 127.0.0.1. The autouse
guard in tests/conftest.py fails any test that tries to reach the internet.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from telegram.error import RetryAfter
from typer.testing import CliRunner

from api.app import create_app
from api.cli.main import app as cli
from api.webhooks.telegram import poll
from bot.dispatch.sending import PermanentSendError, RateLimit, TransientSendError
from bot.engine.link_models import TelegramLinkToken
from bot.engine.messages import OutboundMessage as Message
from bot.engine.render import Button
from bot.i18n import texts
from bot.privacy.rights import erase
from bot.service import Service
from bot.settings import Settings, get_settings
from bot.storage.models import (
    Answer,
    AnswerStatus,
    ChannelIdentity,
    InboundRecord,
    OutboundRecord,
    OutboundStatus,
    Respondent,
    Session,
)
from channels.registry import ChannelRegistry, build_channels
from channels.telegram.links import hash_token, issue_link
from channels.telegram.sender import TelegramChannel, keyboard, retry_seconds
from tests.support.database import every_value
from tests.support.fakes.telegram_api import (
    BOT_USERNAME,
    FakeTelegramAPI,
    buttons,
    callback_update,
    forbidden,
    message_update,
    too_many_requests,
)
from tests.support.services import Clock
from tests.support.telegram import CHAT, SECRET, Telegram

CHAT_ID_NOT_A_NUMBER = (
    b'{"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": {"id": "x", '
    b'"type": "private"}}}'
)


@pytest.fixture
def fake() -> Iterator[FakeTelegramAPI]:
    api = FakeTelegramAPI().start()
    yield api
    api.stop()


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegramAPI) -> Settings:
    return settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(fake.token),
            "telegram_secret_token": SecretStr(SECRET),
            "telegram_api_base_url": fake.base_url,
            "telegram_bot_username": BOT_USERNAME,
        }
    )


@pytest.fixture
def tg_service(tg_settings: Settings, service: Service) -> Service:
    return Service(tg_settings, service.database, service.registry, service.engine)


@pytest.fixture
def telegram(tg_service: Service, fake: FakeTelegramAPI) -> Iterator[Telegram]:
    app = create_app(tg_service.settings, tg_service, ChannelRegistry(), background=False)
    with TestClient(app) as client:
        yield Telegram(client, fake, tg_service)


def rows(service: Service, model: Any, *where: Any) -> list[Any]:
    with service.database.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def answers(service: Service) -> dict[str, Any]:
    current = rows(service, Answer, Answer.status == AnswerStatus.CURRENT.value)
    return {answer.question: answer.value for answer in current}


def add_tenant(service: Service, ref: str, language: str | None = None) -> int:
    with service.database.transaction() as session:
        tenant = Respondent(tenant_ref=ref, language=language)
        session.add(tenant)
        session.flush()
        return tenant.id


# The webhook's gate.


def test_a_missing_or_wrong_secret_gets_403_and_records_nothing(telegram: Telegram) -> None:
    update = message_update(CHAT, "REPAIR")
    assert telegram.post(update, secret=None) == 403
    assert telegram.post(update, secret="wrong") == 403
    assert telegram.post(update, secret=SECRET + "x") == 403
    assert rows(telegram.service, InboundRecord) == []
    assert telegram.fake.calls_to("getMe"), "the Application was initialised in the lifespan"


def test_without_a_configured_secret_every_update_gets_403(
    tg_service: Service, fake: FakeTelegramAPI
) -> None:
    settings = tg_service.settings.model_copy(update={"telegram_secret_token": SecretStr("")})
    service = Service(settings, tg_service.database, tg_service.registry, tg_service.engine)
    with TestClient(create_app(settings, service, ChannelRegistry(), background=False)) as client:
        response = client.post(
            "/webhooks/telegram",
            json=message_update(CHAT, "REPAIR"),
            headers={"X-Telegram-Bot-Api-Secret-Token": ""},
        )
    assert response.status_code == 403
    assert "secret" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[]", 400),
        (b'{"update_id": "7"}', 400),
        (b'{"update_id": 7, "message": "hello"}', 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),  # nested too deep to parse, within the limit
        (b'{"update_id": 7, "message": {}}', 400),
        (b'{"update_id": 7, "pad": "' + b"x" * 300_000 + b'"}', 413),
        (CHAT_ID_NOT_A_NUMBER, 400),
    ],
)
def test_malformed_or_oversized_updates_get_a_4xx(
    telegram: Telegram, body: bytes, status: int
) -> None:
    response = telegram.client.post(
        "/webhooks/telegram",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.json()["detail"].endswith(".")
    assert rows(telegram.service, InboundRecord) == []


# Conversations.


def test_a_survey_answered_by_tapping_buttons_and_by_typing(telegram: Telegram) -> None:
    telegram.say("REPAIR")
    consent = telegram.fake.sent(CHAT)[-1]
    assert "Riverside Homes" in consent["text"]
    assert buttons(consent) == [("I agree", "Yes"), ("No thanks", "No")]
    telegram.tap("Yes")
    question = telegram.fake.sent(CHAT)[-1]
    assert "How satisfied" in question["text"] and "\n1 " in question["text"]
    labels = buttons(question)
    assert labels[0][1] == "1" and labels[0][0].startswith("1 ")
    assert all(len(data.encode()) <= 64 for _, data in labels)
    telegram.tap("2")
    telegram.say("no")  # typed
    assert answers(telegram.service) == {"repair_overall": 2, "right_first_time": False}
    assert len(telegram.fake.calls_to("answerCallbackQuery")) == 2
    inbound = rows(telegram.service, InboundRecord)
    assert [row.text for row in inbound] == ["REPAIR", "Yes", "2", "no"]
    assert all(row.provider_id.isdigit() for row in inbound)


def test_the_same_update_twice_records_one_answer(telegram: Telegram) -> None:
    telegram.say("REPAIR")
    telegram.tap("Yes")
    tap = callback_update(CHAT, telegram.fake.sent(CHAT)[-1], "4")
    assert [telegram.post(tap), telegram.post(tap)] == [200, 200]
    telegram.deliver()
    typed = message_update(CHAT, "yes")
    assert [telegram.post(typed), telegram.post(typed)] == [200, 200]
    telegram.deliver()
    assert answers(telegram.service) == {"repair_overall": 4, "right_first_time": True}
    assert len(rows(telegram.service, Answer)) == 2
    assert len(rows(telegram.service, InboundRecord)) == 4
    assert len(telegram.fake.sent(CHAT)) == 4  # consent, two questions, the next question


def test_a_button_on_an_old_message_does_not_answer_the_current_question(
    telegram: Telegram,
) -> None:
    telegram.say("REPAIR")
    consent = telegram.fake.sent(CHAT)[-1]
    telegram.tap("Yes")
    telegram.tap("5")
    stale = callback_update(CHAT, consent, "Yes")
    assert telegram.post(stale) == 200
    assert answers(telegram.service) == {"repair_overall": 5}
    assert telegram.fake.calls_to("answerCallbackQuery")[-1]["text"] == texts.TELEGRAM_MOVED_ON


def test_select_multiple_by_ticking_buttons_or_typing_numbers(telegram: Telegram) -> None:
    for reply in ("ALLTYPES", "yes", "1", "3", "SKIP", "SKIP"):
        telegram.say(reply)
    question = telegram.fake.sent(CHAT)[-1]
    assert "communication needs" in question["text"]
    assert "Choose one or more answers" in question["text"] and "then tap Done" in question["text"]
    assert buttons(question)[-1] == ("Change my last answer", "back")
    assert buttons(question)[-2] == ("Skip this question", "skip")
    assert buttons(question)[0] == ("☐ 1 Large print", "m0:1")
    assert buttons(question)[-3] == ("Done", "m:done")
    telegram.tap("m:done")  # nothing ticked yet
    assert telegram.fake.calls_to("answerCallbackQuery")[-1]["text"] == texts.TELEGRAM_PICK_FIRST
    markup = question["reply_markup"]
    for data in ("m0:1", "m0:3"):
        update = callback_update(CHAT, question, data, markup=markup)
        assert telegram.post(update) == 200
        markup = telegram.fake.calls_to("editMessageReplyMarkup")[-1]["reply_markup"]
    assert [key["text"][0] for row in markup["inline_keyboard"] for key in row][:4] == list("☑☐☑☐")
    assert "needs" not in answers(telegram.service)
    assert telegram.post(callback_update(CHAT, question, "m:done", markup=markup)) == 200
    telegram.deliver()
    assert answers(telegram.service)["needs"] == [1, 3]
    assert "interpreter" in telegram.last_text()
    telegram.say("BACK")
    telegram.say("2, 4")
    assert answers(telegram.service)["needs"] == [2, 4]


def test_language_code_pt_br_picks_portuguese(telegram: Telegram) -> None:
    telegram.say("REPAIR", language_code="pt-br")
    (session,) = rows(telegram.service, Session)
    assert session.language == "pt"
    consent = telegram.fake.sent(CHAT)[-1]
    assert "Inquérito sobre a reparação" in consent["text"]
    assert buttons(consent)[0] == ("Concordo", "Sim")


def test_non_text_messages_get_a_polite_reply_and_groups_are_ignored(telegram: Telegram) -> None:
    telegram.say(None)
    assert telegram.last_text() == texts.TELEGRAM_TEXT_ONLY
    assert telegram.post(message_update(-100123, "REPAIR", chat_type="group")) == 200
    telegram.deliver()
    assert telegram.fake.sent(-100123) == []
    assert len(rows(telegram.service, InboundRecord)) == 1


def test_the_start_button_greets_and_stop_and_start_work_as_commands(telegram: Telegram) -> None:
    telegram.say("/start")
    assert "There is no survey open for you right now." in telegram.last_text()
    telegram.say("/stop")
    (identity,) = rows(telegram.service, ChannelIdentity)
    assert identity.opted_out_at is not None
    telegram.say("/start")
    assert telegram.last_text().startswith("You will get messages from Riverside Homes again")


# Linking a chat to a tenant.


def test_start_token_links_the_chat_once_and_refuses_reuse(
    telegram: Telegram, clock: Clock
) -> None:
    service = telegram.service
    tenant = add_tenant(service, "T-1001")
    link = issue_link(service.database, tenant_ref="T-1001", now=clock(), days=14)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", link.token)
    (stored,) = rows(service, TelegramLinkToken)
    assert stored.token_hash == hash_token(link.token) and link.token not in stored.token_hash
    first = telegram.say(f"/start {link.token}")
    assert telegram.last_text().startswith("Thank you. This Telegram chat is now connected")
    (identity,) = rows(service, ChannelIdentity, ChannelIdentity.address == str(CHAT))
    assert identity.respondent_id == tenant
    assert telegram.post(first) == 200  # Telegram retrying the same update: no new reply
    telegram.deliver()
    assert len(telegram.fake.sent(CHAT)) == 1
    telegram.say(f"/start {link.token}", chat=777)
    assert "has expired or has already been used" in telegram.last_text(777)
    (other,) = rows(service, ChannelIdentity, ChannelIdentity.address == "777")
    assert other.respondent_id != tenant
    assert rows(service, TelegramLinkToken)[0].identity_id == identity.id


@pytest.mark.parametrize("valid", [True, False])
def test_a_start_link_stores_no_token_in_any_table(
    telegram: Telegram, clock: Clock, valid: bool
) -> None:
    tenant = add_tenant(telegram.service, "T-3003")
    link = issue_link(telegram.service.database, tenant_ref="T-3003", now=clock(), days=14)
    token = link.token if valid else "Zq8" * 10
    telegram.say(f"/start {token}")
    (inbound,) = rows(telegram.service, InboundRecord)
    assert inbound.text == "/start [link]"
    linked = rows(telegram.service, ChannelIdentity, ChannelIdentity.address == str(CHAT))
    assert (linked[0].respondent_id == tenant) is valid
    assert not [cell for cell in every_value(telegram.service) if token in cell]


def test_erasing_a_linked_tenant_removes_the_chat_and_its_tokens(
    telegram: Telegram, clock: Clock
) -> None:
    add_tenant(telegram.service, "T-4004")
    link = issue_link(telegram.service.database, tenant_ref="T-4004", now=clock(), days=14)
    telegram.say(f"/start {link.token}")
    with telegram.service.database.transaction() as session:
        erase(session.connection(), telegram.service.registry, "T-4004", clock(), "test")
    # The identity goes first (the token's reference to it is cleared), then the token.
    assert rows(telegram.service, ChannelIdentity) == []
    assert rows(telegram.service, TelegramLinkToken) == []


@pytest.mark.parametrize("token", ["expired", "unknown", "a/b", "x" * 65])
def test_expired_unknown_or_malformed_tokens_link_nothing(
    telegram: Telegram, clock: Clock, token: str
) -> None:
    tenant = add_tenant(telegram.service, "T-2002")
    link = issue_link(telegram.service.database, tenant_ref="T-2002", now=clock(), days=14)
    if token == "expired":
        clock.advance(days=14, seconds=1)
        token = link.token
    telegram.say(f"/start {token}")
    assert "Please ask Riverside Homes for a new link" in telegram.last_text()
    linked = rows(telegram.service, ChannelIdentity, ChannelIdentity.address == str(CHAT))
    assert tenant not in [identity.respondent_id for identity in linked]
    assert rows(telegram.service, TelegramLinkToken)[0].used_at is None


def test_link_url_prints_a_deep_link_that_links_the_tenant(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = add_tenant(telegram.service, "T-3003", language="cy")
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", telegram.service.settings.database_url)
    monkeypatch.setenv("DOORSTEP_TELEGRAM_BOT_USERNAME", BOT_USERNAME)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["telegram", "link-url", "T-3003"])
        missing = CliRunner().invoke(cli, ["telegram", "link-url", "T-0000"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    found = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]{{32}})", result.output)
    assert found is not None
    assert missing.exit_code == 1 and "No tenant has the reference 'T-0000'" in missing.output
    telegram.say(f"/start {found.group(1)}", language_code="en")
    (identity,) = rows(telegram.service, ChannelIdentity, ChannelIdentity.address == str(CHAT))
    assert identity.respondent_id == tenant
    # In the tenant's own language (Welsh), not the Telegram app's (English).
    assert telegram.last_text().startswith("Diolch. Mae'r sgwrs Telegram hon")


# Sending.


def test_a_blocked_bot_opts_the_chat_out(telegram: Telegram) -> None:
    telegram.fake.fail_next("sendMessage", forbidden())
    telegram.say("REPAIR")
    (identity,) = rows(telegram.service, ChannelIdentity)
    assert identity.opted_out_at is not None
    (row,) = rows(telegram.service, OutboundRecord)
    assert row.status == OutboundStatus.FAILED and "blocked" in (row.error or "")
    telegram.say("2")
    assert telegram.fake.sent(CHAT) == []


def test_retry_after_pauses_sending(telegram: Telegram, clock: Clock) -> None:
    telegram.fake.fail_next("sendMessage", too_many_requests(7))
    telegram.say("REPAIR")
    (row,) = rows(telegram.service, OutboundRecord)
    assert row.status == OutboundStatus.PENDING
    assert row.due_at == clock() + datetime.timedelta(seconds=7)
    clock.advance(seconds=7)
    telegram.deliver()
    assert len(telegram.fake.sent(CHAT)) == 1


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")  # PTB's, for "false"
@pytest.mark.parametrize("setting", ["true", "false"])
def test_a_flood_limit_is_read_in_either_of_ptbs_forms(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole seconds (PTB 22's default) or a timedelta (its next version, opted into)."""
    monkeypatch.setenv("PTB_TIMEDELTA", setting)
    assert retry_seconds(RetryAfter(7)) == 7.0
    assert retry_seconds(RetryAfter(datetime.timedelta(seconds=2.5))) == 2.5


def test_the_service_opts_into_ptbs_timedeltas_unless_told_otherwise() -> None:
    # channels.telegram sets it as it loads, before any of its modules imported here
    assert os.environ.get("PTB_TIMEDELTA") == "true"


def test_one_message_a_second_per_chat(telegram: Telegram) -> None:
    for text in ("REPAIR", "yes"):  # two replies due to the same chat at once
        assert telegram.post(message_update(CHAT, text)) == 200
    assert telegram.post(message_update(CHAT + 1, "REPAIR")) == 200
    telegram.deliver()
    assert len(telegram.fake.sent(CHAT)) == 2 and len(telegram.fake.sent(CHAT + 1)) == 1
    first, other, second = sorted(telegram.fake.times("sendMessage"))
    assert second - first >= 0.95 and other - first < 0.5


def test_poll_reports_a_refused_token_in_a_sentence(
    tg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", tg_settings.database_url)
    monkeypatch.setenv("DOORSTEP_TELEGRAM_BOT_TOKEN", "999:not-the-right-token")
    monkeypatch.setenv("DOORSTEP_TELEGRAM_API_BASE_URL", tg_settings.telegram_api_base_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["telegram", "poll"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "Telegram refused the bot token" in result.output
    assert "not-the-right-token" not in result.output


def test_send_errors_and_no_bot_token_in_the_logs(
    tg_settings: Settings, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    closed = tg_settings.model_copy(update={"telegram_api_base_url": "http://127.0.0.1:9/bot"})

    def send(settings: Settings, address: str) -> None:
        message = Message(1, "telegram", address, "Hello", "en")
        asyncio.run(TelegramChannel.from_settings(settings).send(message))

    send(tg_settings, str(CHAT))
    assert "/bot<token>/sendMessage" in caplog.text  # httpx logs each URL at INFO
    assert fake.token.split(":")[1] not in caplog.text
    with pytest.raises(TransientSendError):
        send(closed, str(CHAT))
    with pytest.raises(PermanentSendError) as error:
        send(tg_settings, "+447700900123")
    assert not error.value.opted_out


def test_keyboards_and_rate_limit(tg_settings: Settings) -> None:
    channel = TelegramChannel.from_settings(tg_settings)
    assert channel.rate_limit == RateLimit(per_second=30.0, per_address_interval=1.0)
    assert isinstance(build_channels(tg_settings)["telegram"], TelegramChannel)
    no_token = tg_settings.model_copy(update={"telegram_bot_token": SecretStr("")})
    assert "telegram" not in build_channels(no_token)
    scale = Message(1, "telegram", "1", "Rate us", "en", tuple(Button(n, n) for n in "123456"))
    markup = keyboard(scale)
    assert markup is not None and [len(row) for row in markup.inline_keyboard] == [5, 1]
    too_long = Message(2, "telegram", "1", "Pick", "en", (Button("é" * 33, "Long"),))
    assert keyboard(too_long) is None


def test_poll_mode_feeds_updates_to_the_same_processing(
    tg_service: Service, fake: FakeTelegramAPI
) -> None:
    fake.queue_update(message_update(CHAT, "REPAIR"))

    async def run() -> None:
        stop, wait = asyncio.Event(), datetime.timedelta(seconds=1)
        polling = asyncio.create_task(
            poll(tg_service.settings, service=tg_service, stop=stop, poll_timeout=wait)
        )
        for _ in range(200):
            if fake.sent(CHAT) or polling.done():
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(polling, timeout=15)

    asyncio.run(run())
    assert fake.calls_to("deleteWebhook")
    (consent,) = fake.sent(CHAT)
    assert "Riverside Homes" in consent["text"] and buttons(consent)[0] == ("I agree", "Yes")
