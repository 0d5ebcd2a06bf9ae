"""The state and output of one turn, shared by the conversation steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from bot.engine import store
from bot.engine.answers import decode
from bot.engine.conversation_state import Conversation
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.engine.render import Button, Prompt, question_prompt
from bot.i18n import texts
from bot.i18n.translate import Translator, translator
from bot.questionnaire.model import LocalText, Question, Questionnaire
from bot.storage.models import OutboundStatus, SessionState

if TYPE_CHECKING:
    from bot.engine.engine import Engine


class TurnBase:
    """What every step of a turn reads and writes; the steps live in their own modules."""

    def __init__(
        self,
        engine: Engine,
        connection: Connection,
        conversation: Conversation,
        inbound: InboundMessage | None,
        inbound_id: int | None,
        *,
        channel: str | None = None,
        address: str | None = None,
    ) -> None:
        self.engine = engine
        self.connection = connection
        self.c = conversation
        self.inbound = inbound
        self.inbound_id = inbound_id
        self.channel = inbound.channel if inbound else str(channel)
        self.address = inbound.address if inbound else str(address)
        self.now = engine.clock()
        self.settings = engine.settings
        self.parts: list[str] = []
        self.buttons: tuple[Button, ...] = ()
        self.multiple = False
        self.session_changes: dict[str, Any] = {}
        self.answer_rows: list[dict[str, Any]] = []
        self.tr: Translator = translator(conversation.language or "en")
        self._decoded: dict[str, object] | None = None

    @property
    def q(self) -> Questionnaire:
        assert self.c.questionnaire is not None
        return self.c.questionnaire

    @property
    def session_id(self) -> int:
        assert self.c.session_id is not None
        return self.c.session_id

    def local(self, text: LocalText | None) -> str:
        """Questionnaire text in the tenant's language with the landlord's name filled in."""
        if not text:
            return ""
        return text.get(self.c.language).replace("${landlord}", self.settings.landlord_name)

    def set_state(self, state: SessionState) -> None:
        self.c.state = state
        self.session_changes["state"] = state.value
        if state is SessionState.COMPLETED:
            self.session_changes["completed_at"] = self.now
        if not state.is_open:
            self.set_current(None, None)
            # The working copy of the answers is only needed while the conversation is open;
            # the answers table keeps the record (and retention/erasure look after it there).
            self.session_changes.update(values={}, asked=[])

    def set_current(self, question: str | None, pending: str | None) -> None:
        self.c.current_question = question
        self.c.pending = pending
        self.c.attempts = 0
        self.session_changes.update(current_question=question, pending=pending, attempts=0)

    def current(self) -> Question | None:
        name = self.c.current_question
        return self.q.question(name) if name else None

    def bump_attempts(self) -> int:
        self.c.attempts += 1
        self.session_changes["attempts"] = self.c.attempts
        return self.c.attempts

    def decoded_values(self) -> dict[str, object]:
        """Current answers as Python values (dates, decimals), decoded once per change."""
        if self._decoded is None:
            self._decoded = {
                name: decode(self.q.question(name), value)
                for name, value in self.c.values.items()
                if name in self.q.index
            }
        return self._decoded

    def yes_no_buttons(self) -> None:
        yes, no = self.tr(texts.BUTTON_YES), self.tr(texts.BUTTON_NO)
        self.buttons = (Button(yes, yes), Button(no, no))

    def prompt(self, question: Question) -> None:
        rendered: Prompt = question_prompt(
            question,
            self.c.language,
            questionnaire=self.q,
            answers=self.decoded_values(),
            landlord=self.settings.landlord_name,
            tr=self.tr,
        )
        self.say(rendered.text)
        self.buttons = rendered.buttons
        self.multiple = rendered.multiple

    def say(self, text: str) -> None:
        if text:
            self.parts.append(text)

    def finish(self) -> list[OutboundMessage]:
        store.insert_answers(self.connection, self.answer_rows)
        if self.c.session_id is not None and self.session_changes:
            self.session_changes["updated_at"] = self.now
            store.update_session(self.connection, self.c.session_id, self.session_changes)
        if not self.parts:
            return []
        body = "\n\n".join(self.parts)
        buttons = [[button.reply, button.label] for button in self.buttons]
        language = self.tr.language
        outbound_id = store.insert_outbound(
            self.connection,
            {
                "respondent_id": self.c.respondent_id,
                "session_id": self.c.session_id,
                "in_reply_to": self.inbound_id,
                "channel": self.channel,
                "address": self.address,
                "body": body,
                "buttons": buttons,
                "multiple": self.multiple,
                "language": language,
                "status": OutboundStatus.PENDING.value,
                "attempts": 0,
                "due_at": self.now,
                "created_at": self.now,
            },
        )
        if self.inbound_id is not None:
            store.set_reply(self.connection, self.inbound_id, outbound_id)
        return [
            OutboundMessage(
                outbound_id,
                self.channel,
                self.address,
                body,
                language,
                self.buttons,
                self.multiple,
                self.c.session_id,
            )
        ]

    # Steps implemented by the conversation flow (bot/engine/conversation.py).
    def advance(self, after: int) -> None:
        raise NotImplementedError

    def ask_again(self) -> None:
        raise NotImplementedError

    def ask_consent(self) -> None:
        raise NotImplementedError
