"""Telegram: outbox rows go out through the Bot API, choices as inline keyboards.

A tap on a button sends its reply text back as callback data, so the engine reads a tap
exactly as if the tenant had typed it. For a select-multiple question the keyboard toggles:
each tap ticks or unticks an option (the ticks live in the message's own keyboard, not in
this process) and "Done" sends the ticked numbers as "1,3". Typing always works too.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import warnings
from collections.abc import Callable
from typing import ClassVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning

from bot.engine.messages import OutboundMessage
from bot.engine.render import Button
from bot.i18n import texts
from bot.i18n.translate import translator
from bot.settings import Settings
from channels.base import (
    Channel,
    PermanentSendError,
    RateLimit,
    SendResult,
    TransientSendError,
)

logger = logging.getLogger(__name__)
_TOKEN_IN_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


class _HideBotToken(logging.Filter):
    """httpx logs every request URL at INFO, and a Bot API URL holds the bot's token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub("/bot<token>", str(arg)) if "/bot" in str(arg) else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HideBotToken())

NAME = "telegram"
MAX_TEXT = 4096  # Bot API limit for one message
MAX_CALLBACK_DATA = 64  # bytes
CHAT_ID = re.compile(r"-?[0-9]{1,20}")
SHORT_LABEL = 4  # buttons this short (scales, yes/no) share one row
ROW_LENGTH = 5
# Select-multiple buttons: the callback data carries the option's current state.
TICK_OFF, TICK_ON = "m0:", "m1:"
TICKS_DONE = "m:done"
MARK_OFF, MARK_ON = "☐ ", "☑ "


def button_text(button: Button) -> str:
    """Numbered options read "1 Very satisfied"; Yes/No and scale buttons show the label.

    A choice's emoji goes before its words; a choice's picture file is not sent (a photo per
    option would bury the question), so Telegram shows the words that stand for it."""
    words = f"{button.emoji} {button.label}" if button.emoji else button.label
    return f"{button.reply} {words}" if button.numbered else words


def message_text(message: OutboundMessage) -> str:
    """The body, the numbered options (so typing a number works) and how to use the ticks."""
    text = message.body
    numbered = [button_text(button) for button in message.buttons if button.numbered]
    # The language menu lists its options in the text already: do not list them twice.
    if numbered and not all(line in text.splitlines() for line in numbered):
        text += "\n" + "\n".join(numbered)
    if message.multiple and keyboard(message) is not None:
        tr = translator(message.language)
        text += "\n\n" + tr(texts.TELEGRAM_TAP_THEN_DONE, done=tr(texts.TELEGRAM_DONE))
    if len(text) > MAX_TEXT:  # never expected from the engine; better cut than never sent
        text = text[: MAX_TEXT - 1] + "…"
    return text


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_CALLBACK_DATA


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    """Inline buttons for the message's choices, or None when typing is the only way."""
    buttons = tuple(button for button in message.buttons if not button.command)
    commands = [button for button in message.buttons if button.command]
    if not message.buttons:
        return None
    markup = _answer_keyboard(message, buttons)
    if markup is None or not commands or not all(_fits(b.reply) for b in commands):
        return markup
    # Skip and Change-my-last-answer on their own row below the answers.
    rows = [[InlineKeyboardButton(b.label, callback_data=b.reply)] for b in commands]
    return InlineKeyboardMarkup([*markup.inline_keyboard, *rows])


def _answer_keyboard(
    message: OutboundMessage, buttons: tuple[Button, ...]
) -> InlineKeyboardMarkup | None:
    if not buttons:
        return InlineKeyboardMarkup([])
    if message.multiple:
        if not all(_fits(TICK_OFF + button.reply) for button in buttons):
            return None
        rows = [
            [
                InlineKeyboardButton(
                    MARK_OFF + button_text(button), callback_data=TICK_OFF + button.reply
                )
            ]
            for button in buttons
        ]
        done = translator(message.language)(texts.TELEGRAM_DONE)
        rows.append([InlineKeyboardButton(done, callback_data=TICKS_DONE)])
        return InlineKeyboardMarkup(rows)
    if not all(_fits(button.reply) for button in buttons):
        return None
    keys = [InlineKeyboardButton(button_text(b), callback_data=b.reply) for b in buttons]
    if all(len(key.text) <= SHORT_LABEL for key in keys):
        return InlineKeyboardMarkup(
            [keys[start : start + ROW_LENGTH] for start in range(0, len(keys), ROW_LENGTH)]
        )
    return InlineKeyboardMarkup([[key] for key in keys])


def is_tick(data: str) -> bool:
    return data.startswith((TICK_OFF, TICK_ON))


def _untick(label: str) -> str:
    return label.removeprefix(MARK_ON).removeprefix(MARK_OFF)


def ticked(markup: InlineKeyboardMarkup, data: str) -> InlineKeyboardMarkup:
    """The keyboard after tapping the option `data`: it switches to the state it did not show.

    Setting (not flipping) makes a repeated delivery of the same tap harmless.
    """
    reply, now_on = data[len(TICK_OFF) :], data.startswith(TICK_OFF)
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        new_row = []
        for key in row:
            callback = key.callback_data if isinstance(key.callback_data, str) else None
            if callback is not None and is_tick(callback) and callback[len(TICK_OFF) :] == reply:
                mark, prefix = (MARK_ON, TICK_ON) if now_on else (MARK_OFF, TICK_OFF)
                key = InlineKeyboardButton(mark + _untick(key.text), callback_data=prefix + reply)
            new_row.append(key)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def ticked_replies(markup: InlineKeyboardMarkup | None) -> list[str]:
    """The replies of every ticked option, in keyboard order."""
    if markup is None:
        return []
    return [
        key.callback_data[len(TICK_ON) :]
        for row in markup.inline_keyboard
        for key in row
        if isinstance(key.callback_data, str) and key.callback_data.startswith(TICK_ON)
    ]


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


class TelegramChannel(Channel):
    name: ClassVar[str] = NAME

    def __init__(
        self,
        token: str,
        *,
        rate_per_second: float,
        base_url: str = "https://api.telegram.org/bot",
        request_factory: Callable[[], BaseRequest] | None = None,
    ) -> None:
        self.rate_limit = RateLimit(per_second=rate_per_second, per_address_interval=1.0)
        self._token = token
        self._base_url = base_url
        self._request_factory = request_factory
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, request_factory: Callable[[], BaseRequest] | None = None
    ) -> TelegramChannel:
        return cls(
            settings.telegram_bot_token.get_secret_value(),
            rate_per_second=settings.telegram_rate_per_second,
            base_url=settings.telegram_api_base_url,
            request_factory=request_factory,
        )

    async def start(self) -> None:
        try:
            await self._ready_bot()
        except TelegramError as error:  # sending retries; a slow start must not stop the rest
            logger.warning("could not reach Telegram at start (%s)", type(error).__name__)

    async def stop(self) -> None:
        bot, self._bot = self._bot, None
        if bot is not None and self._loop is asyncio.get_running_loop():
            await bot.shutdown()

    async def _ready_bot(self) -> Bot:
        # The HTTP client belongs to one event loop: a new loop needs a new bot.
        loop = asyncio.get_running_loop()
        if self._bot is None or self._loop is not loop:
            request = self._request_factory() if self._request_factory else None
            bot = Bot(self._token, base_url=self._base_url, request=request)
            await bot.initialize()
            self._bot, self._loop = bot, loop
        return self._bot

    async def send(self, message: OutboundMessage) -> SendResult:
        if not CHAT_ID.fullmatch(message.address):
            raise PermanentSendError("the address is not a Telegram chat id", code="address")
        chat_id = int(message.address)
        try:
            bot = await self._ready_bot()
            sent = await bot.send_message(
                chat_id=chat_id, text=message_text(message), reply_markup=keyboard(message)
            )
        except Forbidden:
            raise PermanentSendError(
                "the tenant blocked the bot or deleted the chat", code="forbidden", opted_out=True
            ) from None
        except RetryAfter as error:
            raise TransientSendError(
                "Telegram asked us to slow down",
                code="retry_after",
                retry_after=retry_seconds(error),
            ) from None
        except (BadRequest, ChatMigrated) as error:
            # e.g. "chat not found": sending again would fail the same way.
            raise PermanentSendError(_describe(error), code="bad_request") from None
        except NetworkError as error:
            raise TransientSendError(_describe(error), code="network") from None
        except TelegramError as error:
            raise TransientSendError(_describe(error), code=type(error).__name__) from None
        return SendResult(provider_id(chat_id, sent.message_id))


def _describe(error: TelegramError) -> str:
    # Only BadRequest's wording is safe to keep: InvalidToken's text holds the bot token and
    # ChatMigrated's a chat id.
    if isinstance(error, BadRequest):
        return str(error.message)[:120]
    return f"Telegram error ({type(error).__name__})"


def provider_id(chat_id: int | str, message_id: int) -> str:
    """How a sent message is known in the outbox: message ids are only unique per chat."""
    return f"{chat_id}:{message_id}"


__all__ = ["NAME", "TelegramChannel", "keyboard", "message_text", "provider_id"]
