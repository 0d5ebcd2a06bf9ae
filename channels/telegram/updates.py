"""Telegram updates in: a typed message or a button tap becomes an `InboundMessage`.

The webhook route and the long-polling mode both hand every update to
`UpdateProcessor.process`. Conversation state stays in the database (the engine's), so any
process can take any update; a repeated `update_id` is recorded once by the engine.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re

from sqlalchemy import select
from telegram import Bot, CallbackQuery, ChatMember, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.engine import links as engine_links
from bot.engine.contacts import find_contact
from bot.engine.engine import Engine
from bot.engine.messages import InboundMessage
from bot.i18n import texts
from bot.i18n.translate import translator
from bot.outreach.optout import opt_out_address
from bot.settings import Settings
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND
from channels.telegram.sender import NAME, TICKS_DONE, is_tick, provider_id, ticked, ticked_replies

logger = logging.getLogger(__name__)
START = re.compile(r"/start(?:@\w+)?(?:\s+(\S+))?\s*", re.IGNORECASE)
# What the inbound record keeps of `/start <token>`: the token would link a chat to a tenant.
START_REDACTED = "/start [link]"
# The updates Doorstep asks Telegram for (polling here; setWebhook in the README).
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
# Rows that mean a newer message is on its way or already in the chat.
_LIVE = [
    status.value
    for status in OutboundStatus
    if status not in (OutboundStatus.CANCELLED, OutboundStatus.FAILED)
]


class MalformedUpdate(ValueError):
    """The update does not have the shape the Bot API gives it."""


def start_token(text: str) -> str | None:
    """The payload of `/start <token>` (a deep link); None for anything else."""
    match = START.fullmatch(text.strip())
    return match.group(1) if match else None


def _address(update: Update) -> str | None:
    """The private chat's id as the address; None for groups and channels (not surveyed)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return None
    if not isinstance(chat.id, int) or isinstance(chat.id, bool):
        raise MalformedUpdate("chat id is not a number")
    return str(chat.id)


def to_inbound(update: Update, text: str, received_at: datetime.datetime) -> InboundMessage:
    address = _address(update)
    if address is None:
        raise MalformedUpdate("not a private chat")
    user = update.effective_user
    hint = user.language_code if user is not None else None
    return InboundMessage(
        channel=NAME,
        address=address,
        provider_id=str(update.update_id),
        text=text,
        received_at=received_at,
        locale_hint=hint if isinstance(hint, str) else None,
    )


class UpdateProcessor:
    """Everything an update can ask for: a link, an answer, a tick, or nothing at all."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    async def process(self, update: Update, bot: Bot) -> None:
        if not isinstance(update.update_id, int):
            raise MalformedUpdate("update_id is not a number")
        if _address(update) is None:
            return
        if update.my_chat_member is not None:
            member = update.my_chat_member.new_chat_member
            await asyncio.to_thread(self._membership, str(update.my_chat_member.chat.id), member)
            return
        if update.callback_query is not None:
            await self._tap(update, update.callback_query, bot)
            return
        message = update.message
        if message is None:  # edits, reactions, membership changes: nothing to answer
            return
        now = self.engine.clock()
        text = message.text
        if text is None:
            caption = message.caption if isinstance(message.caption, str) else ""
            inbound = to_inbound(update, caption, now)
            await asyncio.to_thread(engine_links.reply_text_only, self.engine, inbound)
            return
        if not isinstance(text, str):
            raise MalformedUpdate("text is not a string")
        token = start_token(text)
        inbound = to_inbound(update, text if token is None else START_REDACTED, now)
        if token is not None:
            await asyncio.to_thread(engine_links.link_telegram_chat, self.engine, inbound, token)
            return
        # A bare /start (the tenant pressed Start) reaches the engine as START: it opts back in.
        await self.engine.handle_async(inbound)

    async def _tap(self, update: Update, query: CallbackQuery, bot: Bot) -> None:
        data = query.data
        message = query.message
        address = _address(update)
        assert address is not None  # process() answers private chats only
        if not isinstance(data, str) or not isinstance(message, Message):
            # Too old for Telegram to show us (48 h), or not our kind of button.
            language = await asyncio.to_thread(self._language, address, None)
            await _answer(bot, query, translator(language)(texts.TELEGRAM_MOVED_ON))
            return
        latest, sent_in = await asyncio.to_thread(
            self._is_latest, address, provider_id(address, message.message_id)
        )
        tr = translator(await asyncio.to_thread(self._language, address, sent_in))
        if not latest:  # an old question's button would answer the current question
            await _answer(bot, query, tr(texts.TELEGRAM_MOVED_ON))
            return
        markup = message.reply_markup
        if is_tick(data):
            if markup is not None:
                await _edit_markup(bot, message, ticked(markup, data))
            await _answer(bot, query)
            return
        if data == TICKS_DONE:
            chosen = ticked_replies(markup)
            if not chosen:
                await _answer(bot, query, tr(texts.TELEGRAM_PICK_FIRST))
                return
            data = ",".join(chosen)
        inbound = to_inbound(update, data, self.engine.clock())
        await self.engine.handle_async(inbound)
        await _answer(bot, query)

    def _membership(self, address: str, member: ChatMember) -> None:
        """The tenant blocked the bot: opt the chat out now, not at the next failed send."""
        if member.status != ChatMemberStatus.BANNED:  # "kicked" when a tenant blocks the bot
            return
        with self.engine.database.engine.connect() as connection, connection.begin():
            opt_out_address(connection, NAME, address, self.engine.clock(), "blocked the bot")

    def _language(self, address: str, sent_in: str | None) -> str:
        """The chat's language now: its open conversation's, the tenant's own choice, the
        language of the tapped message, or the landlord's default."""
        with self.engine.database.engine.connect() as connection:
            contact = find_contact(connection, NAME, address)
        known = (contact.session_language or contact.respondent_language) if contact else None
        return known or sent_in or self.settings.default_language

    def _is_latest(self, address: str, tapped: str) -> tuple[bool, str | None]:
        """Whether the tapped message is the newest one we sent this chat, and its language."""
        now = self.engine.clock()
        with self.engine.database.engine.connect() as connection:
            row = connection.execute(
                select(OUTBOUND.c.id, OUTBOUND.c.language).where(
                    OUTBOUND.c.channel == NAME, OUTBOUND.c.provider_id == tapped
                )
            ).first()
            if row is None:
                return False, None
            newer = connection.execute(
                select(OUTBOUND.c.id)
                .where(
                    OUTBOUND.c.id > row.id,
                    OUTBOUND.c.channel == NAME,
                    OUTBOUND.c.address == address,
                    OUTBOUND.c.status.in_(_LIVE),
                    OUTBOUND.c.due_at <= now,
                )
                .limit(1)
            ).first()
        return newer is None, row.language


async def _answer(bot: Bot, query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner (and show a short note); a late answer is not an error."""
    try:
        await bot.answer_callback_query(query.id, text=text)
    except TelegramError as error:
        logger.info("could not answer a button tap (%s)", type(error).__name__)


async def _edit_markup(bot: Bot, message: Message, markup: InlineKeyboardMarkup) -> None:
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except TelegramError as error:  # e.g. "message is not modified" on a repeated tap
        logger.info("could not update the ticks (%s)", type(error).__name__)
