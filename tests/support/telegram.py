"""Shared test support."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from bot.dispatch.dispatcher import Dispatcher
from bot.service import Service
from channels.telegram.sender import TelegramChannel
from tests.support.fakes.telegram_api import (
    FakeTelegramAPI,
    callback_update,
    message_update,
)

SECRET = "s3cret-token_for-tests"


CHAT = 424242


@dataclass
class Telegram:
    """Posts updates to the app, sends the outbox through the channel, taps buttons."""

    client: TestClient
    fake: FakeTelegramAPI
    service: Service

    def post(self, update: Any, secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.client.post("/webhooks/telegram", json=update, headers=headers).status_code

    def say(self, text: str | None, chat: int = CHAT, **options: Any) -> dict[str, Any]:
        update = message_update(chat, text, **options)
        assert self.post(update) == 200
        self.deliver()
        return update

    def tap(self, data: str, chat: int = CHAT, **options: Any) -> dict[str, Any]:
        update = callback_update(chat, self.fake.sent(chat)[-1], data, **options)
        assert self.post(update) == 200
        self.deliver()
        return update

    def deliver(self) -> None:
        asyncio.run(deliver(self.service))

    def last_text(self, chat: int = CHAT) -> str:
        return str(self.fake.sent(chat)[-1]["text"])


async def deliver(service: Service) -> None:
    channel = TelegramChannel.from_settings(service.settings)
    await channel.start()
    try:
        await Dispatcher(
            service.database, {"telegram": channel}, clock=service.engine.clock
        ).drain()
    finally:
        await channel.stop()
