"""The conversation engine: `handle(inbound) -> outbound messages`, one transaction each.

Channel-independent: a channel turns its provider's request into an `InboundMessage`, the
engine records it, moves the conversation on and writes its replies to the outbox, all in
one database transaction, and returns the replies it wrote.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from bot.engine import conversation_load, store, turn_writes
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.engine.turn import flow
from bot.engine.turn.context import Conversation, TurnContext
from bot.i18n.translate import translator
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.group_commit import Ahead
from bot.storage.models import OPEN_STATES, SessionState, utcnow

logger = logging.getLogger(__name__)


class SessionAlreadyOpen(Exception):
    """The respondent is in the middle of another questionnaire."""


class Engine:
    def __init__(
        self,
        database: Database,
        registry: QuestionnaireRegistry,
        settings: Settings,
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        self.database = database
        self.registry = registry
        self.settings = settings
        self.clock = clock
        self._combines = database.engine.dialect.name == "postgresql"

    def handle(self, inbound: InboundMessage) -> list[OutboundMessage]:
        """Record one inbound message and answer it; a repeat gets the first answer again.

        It returns once the transaction holding the message committed. Messages arriving
        together share that transaction (`Database.writes`, a savepoint each), so they
        share one commit. Two messages racing (a retried webhook, two first messages from
        a new number) can collide on a unique key or a lock; the loser is rolled back and
        run again, when it finds what the winner wrote.
        """
        inbound = inbound.cleaned()
        return self.database.writes.run(
            lambda connection: self._handle(connection, inbound), self._ahead(inbound)
        )

    async def handle_async(self, inbound: InboundMessage) -> list[OutboundMessage]:
        """`handle` for a caller on an event loop (a webhook): it awaits its batch's commit."""
        inbound = inbound.cleaned()
        return await self.database.writes.run_async(
            lambda connection: self._handle(connection, inbound), self._ahead(inbound)
        )

    def _ahead(self, inbound: InboundMessage) -> Ahead[list[OutboundMessage]] | None:
        """On PostgreSQL a turn's first statement (read the conversation, record the message)
        can go with the batch's other first statements: one round trip for all of them."""
        if not self._combines:
            return None
        new_contact = ("new contact", inbound.channel, inbound.address)
        return Ahead(
            send=lambda connection: self._record_ahead(connection, inbound),
            # One tenant's two messages in one batch: the second must see the first's turn.
            owner=lambda loaded: new_contact if loaded[0] is None else loaded[0].respondent_id,
            then=lambda connection, loaded: self._answer(connection, inbound, *loaded),
        )

    @staticmethod
    def _record_ahead(
        connection: Connection, inbound: InboundMessage
    ) -> Callable[[], tuple[Any | None, int | None]]:
        return turn_writes.send_load_and_record(connection, inbound)

    def _handle(self, connection: Connection, inbound: InboundMessage) -> list[OutboundMessage]:
        row, inbound_id = self._load_and_record(connection, inbound)
        return self._answer(connection, inbound, row, inbound_id)

    def _answer(
        self, connection: Connection, inbound: InboundMessage, row: Any, inbound_id: int | None
    ) -> list[OutboundMessage]:
        """The turn, once the conversation is read and the message recorded."""
        if inbound_id is None:  # a retried webhook: the replies it was given
            return store.previous_replies(connection, inbound)
        if row is None and self._combines:
            respondent_id, identity_id = turn_writes.create_contact(
                connection, inbound, inbound_id, self.clock()
            )
            conversation = Conversation.new_contact(respondent_id, identity_id)
        elif row is None:
            respondent_id, identity_id = store.create_contact(
                connection, inbound.channel, inbound.address, None, self.clock()
            )
            store.link_inbound(connection, inbound_id, respondent_id)
            conversation = Conversation.new_contact(respondent_id, identity_id)
        else:
            conversation = self._conversation(connection, row)
        context = self._context(connection, conversation, inbound.channel, inbound.address)
        context.inbound, context.inbound_id = inbound, inbound_id
        return flow.reply_to(context, inbound.text)

    @staticmethod
    def _load_and_record(
        connection: Connection, inbound: InboundMessage
    ) -> tuple[Any | None, int | None]:
        """The conversation and the recorded message's id (None: recorded before)."""
        if turn_writes.combines(connection):
            return turn_writes.load_and_record(connection, inbound)
        row = conversation_load.load_conversation(connection, inbound.channel, inbound.address)
        respondent_id = row.respondent_id if row is not None else None
        return row, store.record_inbound(connection, inbound, respondent_id)

    def _context(
        self, connection: Connection, conversation: Conversation, channel: str, address: str
    ) -> TurnContext:
        return TurnContext(
            connection=connection,
            conversation=conversation,
            registry=self.registry,
            settings=self.settings,
            now=self.clock(),
            channel=channel,
            address=address,
            translator=translator(conversation.language or "en").for_channel(channel),
        )

    def _conversation(self, connection: Connection, row: Any) -> Conversation:
        questionnaire = None
        version_id = row.questionnaire_version_id
        if version_id is not None:
            questionnaire = self.registry.by_version_id(connection, version_id)
        return Conversation.from_row(row, questionnaire)

    def start(
        self,
        *,
        channel: str,
        address: str,
        questionnaire_id: str,
        language: str | None = None,
        replace_open: bool = False,
        respondent_id: int | None = None,
        connection: Connection | None = None,
    ) -> list[OutboundMessage]:
        """Open a conversation with an invitation (consent first) on one channel address.

        With `respondent_id` a new address becomes that tenant's identity on the channel
        (a web chat invite, a linked Telegram chat, a campaign's phone number). With
        `connection` it runs inside the caller's transaction (a campaign marks the tenant
        invited in the same transaction, so an invitation is written exactly once).
        """
        if connection is not None:
            return self._start(
                connection,
                channel,
                address,
                questionnaire_id,
                language,
                replace_open,
                respondent_id,
            )
        with self.database.engine.connect() as own, own.begin():
            return self._start(
                own, channel, address, questionnaire_id, language, replace_open, respondent_id
            )

    def _start(
        self,
        connection: Connection,
        channel: str,
        address: str,
        questionnaire_id: str,
        language: str | None,
        replace_open: bool,
        respondent_id: int | None,
    ) -> list[OutboundMessage]:
        questionnaire = self.registry.latest(questionnaire_id)
        now = self.clock()
        if respondent_id is not None:
            store.link_address(connection, channel, address, respondent_id, now)
        row = conversation_load.load_conversation(connection, channel, address)
        if row is None:
            new_id, identity_id = store.create_contact(connection, channel, address, language, now)
            conversation = Conversation.new_contact(new_id, identity_id)
        else:
            conversation = self._conversation(connection, row)
            if conversation.opted_out:
                return []
            if conversation.session_id is not None:
                if not replace_open:
                    raise SessionAlreadyOpen(
                        f"respondent {conversation.respondent_id} has an open session"
                    )
                store.update_session(
                    connection,
                    conversation.session_id,
                    {
                        "state": SessionState.EXPIRED.value,
                        "updated_at": now,
                        "values": {},
                        "asked": [],
                    },
                )
        if language:
            conversation.respondent_language = language
        context = self._context(connection, conversation, channel, address)
        messages = flow.open_session(context, questionnaire, SessionState.INVITED)
        return store.mark_purpose(connection, messages, "invitation")

    def link(self, *, channel: str, address: str, respondent_id: int) -> None:
        """Make this channel address the tenant's (a Telegram chat after /start <token>)."""
        with self.database.engine.connect() as connection, connection.begin():
            store.link_address(connection, channel, address, respondent_id, self.clock())

    def remind(
        self, *, channel: str, address: str, connection: Connection | None = None
    ) -> list[OutboundMessage]:
        """Ask the open conversation's current step again (reminders, resuming).

        With `connection` it runs in the caller's transaction, so a reminder and the record
        that it was sent commit together.
        """
        if connection is not None:
            return self._remind(connection, channel, address)
        with self.database.engine.connect() as own, own.begin():
            return self._remind(own, channel, address)

    def _remind(self, connection: Connection, channel: str, address: str) -> list[OutboundMessage]:
        row = conversation_load.load_conversation(connection, channel, address)
        if row is None:
            return []
        conversation = self._conversation(connection, row)
        if conversation.opted_out or conversation.session_id is None:
            return []
        messages = flow.remind(self._context(connection, conversation, channel, address))
        return store.mark_purpose(connection, messages, "reminder")


__all__ = ["OPEN_STATES", "Engine", "SessionAlreadyOpen"]
