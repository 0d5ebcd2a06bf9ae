"""The state one reply needs, loaded from one row of the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from bot.questionnaire.model import Questionnaire
from bot.storage.models import SessionState


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
    pending: str | None = None
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
            conversation.pending = row.pending
            conversation.attempts = row.attempts
            conversation.values = dict(row.values or {})
            conversation.asked = list(row.asked or [])
            conversation.sensitive_consents = dict(row.sensitive_consents or {})
            conversation.expires_at = row.expires_at
        return conversation
