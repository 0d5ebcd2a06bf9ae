"""The state one turn works on: the conversation loaded from one row, and the turn's context."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from bot.engine.answers import decode
from bot.engine.messages import InboundMessage
from bot.engine.render import Button
from bot.i18n.translate import Translator, translator
from bot.questionnaire.model import LocalText, Questionnaire
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.models import SessionState


class Pending(enum.Enum):
    """What the conversation waits for besides an answer to its current question.

    Stored in `sessions.pending` as its value; a sensitive-data consent is stored with the
    category of the current question after a colon ("sensitive:health"), as it always was.
    """

    LANGUAGE = "language"  # the language menu is open
    BILINGUAL_CONSENT = "bilingual"  # consent asked in Welsh and English until one is used
    SENSITIVE_CONSENT = "sensitive"  # consent to a sensitive category before its question

    @classmethod
    def from_column(cls, stored: str | None) -> Pending | None:
        """The pending state of a stored value; None for none (or one no release wrote)."""
        if not stored:
            return None
        try:
            return cls(stored.split(":", 1)[0])
        except ValueError:
            return None

    def column(self, category: str | None) -> str:
        """The value stored for this state; `category` is the current question's, if any."""
        if self is Pending.SENSITIVE_CONSENT:
            return f"{self.value}:{category}"
        return str(self.value)


@dataclass
class Conversation:
    """The state one reply needs, loaded from one row of the database."""

    respondent_id: int
    identity_id: int
    opted_out: bool = False
    respondent_language: str | None = None
    session_id: int | None = None
    questionnaire: Questionnaire | None = None
    state: SessionState | None = None
    language: str = "en"
    current_question: str | None = None
    pending: Pending | None = None
    attempts: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    sensitive_consents: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime.datetime | None = None

    @classmethod
    def new_contact(cls, respondent_id: int, identity_id: int) -> Conversation:
        return cls(respondent_id, identity_id)

    @classmethod
    def from_row(cls, row: Any, questionnaire: Questionnaire | None) -> Conversation:
        conversation = cls(
            respondent_id=row.respondent_id,
            identity_id=row.identity_id,
            opted_out=row.opted_out_at is not None,
            respondent_language=row.respondent_language,
        )
        if row.respondent_language:
            conversation.language = row.respondent_language  # until a session says otherwise
        if row.id is not None and questionnaire is not None:
            conversation.session_id = row.id
            conversation.questionnaire = questionnaire
            conversation.state = SessionState(row.state)
            conversation.language = row.language
            conversation.current_question = row.current_question
            conversation.pending = Pending.from_column(row.pending)
            conversation.attempts = row.attempts
            conversation.values = dict(row.values or {})
            conversation.asked = list(row.asked or [])
            conversation.sensitive_consents = dict(row.sensitive_consents or {})
            conversation.expires_at = row.expires_at
        return conversation

    @property
    def awaiting_consent(self) -> bool:
        return self.state in (SessionState.INVITED, SessionState.AWAITING_CONSENT)


@dataclass
class Reply:
    """What the turn says: its paragraphs become one outbox message."""

    parts: list[str] = field(default_factory=list)
    buttons: tuple[Button, ...] = ()
    multiple: bool = False


@dataclass
class TurnContext:
    """Everything one turn reads and writes, inside the caller's transaction."""

    connection: Connection
    conversation: Conversation
    registry: QuestionnaireRegistry
    settings: Settings
    now: datetime.datetime
    channel: str
    address: str
    translator: Translator
    inbound: InboundMessage | None = None
    inbound_id: int | None = None
    reply: Reply = field(default_factory=Reply)
    session_changes: dict[str, Any] = field(default_factory=dict)
    answer_rows: list[dict[str, Any]] = field(default_factory=list)
    decoded: dict[str, object] | None = None  # the answers as Python values, while unchanged

    @property
    def questionnaire(self) -> Questionnaire:
        assert self.conversation.questionnaire is not None
        return self.conversation.questionnaire

    @property
    def session_id(self) -> int:
        assert self.conversation.session_id is not None
        return self.conversation.session_id

    def use_language(self, language: str) -> None:
        """Speak `language` from now on, worded for this turn's channel."""
        self.translator = translator(language).for_channel(self.channel)

    def say(self, text: str) -> None:
        if text:
            self.reply.parts.append(text)

    def local(self, text: LocalText | None) -> str:
        """Questionnaire text in the tenant's language with the landlord's name filled in."""
        if not text:
            return ""
        language = self.conversation.language
        return text.filled(language, self.settings.landlord_name)

    def decoded_values(self) -> dict[str, object]:
        """Current answers as Python values (dates, decimals), decoded once per change."""
        if self.decoded is None:
            questionnaire = self.questionnaire
            self.decoded = {
                name: decode(questionnaire.question(name), value)
                for name, value in self.conversation.values.items()
                if name in questionnaire.index
            }
        return self.decoded
