"""One turn of a conversation: read the reply, move the session on, say what comes next."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from babel.dates import format_timedelta
from sqlalchemy import Connection

from bot import texts
from bot.engine import commands, store
from bot.engine.answers import Invalid, decode, encode, parse_answer
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.engine.render import Button, Prompt, question_prompt
from bot.i18n import Translator, translator
from bot.questionnaire.model import LocalText, Question, Questionnaire, QuestionType
from bot.storage.models import AnswerStatus, OutboundStatus, SessionState

if TYPE_CHECKING:
    from bot.engine.engine import Engine

LANGUAGE_PENDING = "language"
SENSITIVE_PENDING = "sensitive:"


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


class Turn:
    """Handles one inbound message (or one invitation) inside the caller's transaction."""

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

    # -- entry points ---------------------------------------------------------------------

    def run(self) -> list[OutboundMessage]:
        assert self.inbound is not None
        text = self.inbound.text
        command = commands.detect(text, self.tr)
        if self.c.opted_out:
            if command is commands.Command.START:
                store.set_opted_out(self.connection, self.c.identity_id, None)
                self.say(self.tr(texts.OPTED_IN, landlord=self.settings.landlord_name))
            return self.finish()
        if command is commands.Command.STOP:
            return self.opt_out()
        if self.c.session_id is None or self.c.questionnaire is None:
            return self.no_session(text, command)
        if self.c.expires_at is not None and self.c.expires_at <= self.now:
            self.set_state(SessionState.EXPIRED)
            self.say(self.tr(texts.EXPIRED))
            return self.finish()
        if command is not None and self.apply_command(command):
            return self.finish()
        if self.c.pending == LANGUAGE_PENDING:
            self.choose_language(text)
        elif self.c.state in (SessionState.INVITED, SessionState.AWAITING_CONSENT):
            self.consent_reply(text)
        elif self.c.pending and self.c.pending.startswith(SENSITIVE_PENDING):
            self.sensitive_reply(text)
        else:
            self.answer(text)
        return self.finish()

    def open_session(
        self, questionnaire: Questionnaire, state: SessionState
    ) -> list[OutboundMessage]:
        language = self.pick_language(questionnaire)
        self.c.questionnaire = questionnaire
        self.c.language = language
        self.tr = translator(language)
        expires = self.now + datetime.timedelta(days=questionnaire.expiry_days)
        self.c.state = state
        self.c.expires_at = expires
        self.c.session_id = store.create_session(
            self.connection,
            {
                "respondent_id": self.c.respondent_id,
                "questionnaire_version_id": self.engine.version_id(self.connection, questionnaire),
                "channel": self.channel,
                "state": state.value,
                "language": language,
                "attempts": 0,
                "values": {},
                "asked": [],
                "sensitive_consents": {},
                "created_at": self.now,
                "updated_at": self.now,
                "expires_at": expires,
            },
        )
        self.ask_consent()
        return self.finish()

    # -- session life ---------------------------------------------------------------------

    def pick_language(self, questionnaire: Questionnaire) -> str:
        from bot.languages import base_language

        for candidate in (self.c.respondent_language, self.inbound and self.inbound.locale_hint):
            if candidate and base_language(candidate) in questionnaire.languages:
                return base_language(candidate)
        return questionnaire.default_language

    def no_session(self, text: str, command: commands.Command | None) -> list[OutboundMessage]:
        questionnaire = self.engine.registry.by_keyword(text)
        if questionnaire is not None:
            return self.open_session(questionnaire, SessionState.AWAITING_CONSENT)
        key = texts.HELP_TEXT if command is commands.Command.HELP else texts.NO_SURVEY
        self.say(self.tr(key, landlord=self.settings.landlord_name))
        return self.finish()

    def opt_out(self) -> list[OutboundMessage]:
        store.set_opted_out(self.connection, self.c.identity_id, self.now)
        if self.c.session_id is not None:
            if self.c.state is SessionState.IN_PROGRESS:
                self.record_consent("questionnaire", "withdrawn")
            self.set_state(SessionState.OPTED_OUT)
        self.say(self.tr(texts.OPTED_OUT, landlord=self.settings.landlord_name))
        return self.finish()

    def set_state(self, state: SessionState) -> None:
        self.c.state = state
        self.session_changes["state"] = state.value
        if state is SessionState.COMPLETED:
            self.session_changes["completed_at"] = self.now
        if not state.is_open:
            self.set_current(None, None)

    def set_current(self, question: str | None, pending: str | None) -> None:
        self.c.current_question = question
        self.c.pending = pending
        self.c.attempts = 0
        self.session_changes.update(current_question=question, pending=pending, attempts=0)

    # -- commands -------------------------------------------------------------------------

    def apply_command(self, command: commands.Command) -> bool:
        """Carry out HELP, LANGUAGE, BACK or SKIP; False when the reply is an answer after all."""
        if command is commands.Command.HELP:
            self.say(self.tr(texts.HELP_TEXT, landlord=self.settings.landlord_name))
            self.ask_again()
            return True
        if command is commands.Command.LANGUAGE:
            self.offer_languages()
            return True
        if command is commands.Command.BACK and self.c.state is SessionState.IN_PROGRESS:
            self.go_back()
            return True
        if command is commands.Command.SKIP and self.c.state is SessionState.IN_PROGRESS:
            question = self.current()
            if question is None or self.c.pending:
                return False
            if question.required:
                self.say(self.tr(texts.REQUIRED_ANSWER))
                self.ask_again()
                return True
            self.store_answer(question, None, skipped=True)
            self.advance(self.q.index[question.name])
            return True
        return False

    def offer_languages(self) -> None:
        from bot.languages import LANGUAGES

        self.session_changes["pending"] = LANGUAGE_PENDING
        self.c.pending = LANGUAGE_PENDING
        codes = list(self.q.languages)
        self.say(self.tr(texts.CHOOSE_LANGUAGE))
        self.buttons = tuple(
            Button(str(n), LANGUAGES[code].native_name if code in LANGUAGES else code)
            for n, code in enumerate(codes, start=1)
        )
        self.say("\n".join(f"{button.reply} {button.label}" for button in self.buttons))

    def choose_language(self, text: str) -> None:
        chosen = commands.match_language(text, list(self.q.languages))
        if chosen is None:
            self.offer_languages()
            return
        self.c.language = chosen
        self.tr = translator(chosen)
        self.c.pending = None
        self.session_changes.update(language=chosen, pending=None)
        store.set_respondent_language(self.connection, self.c.respondent_id, chosen)
        self.say(self.tr(texts.LANGUAGE_CHANGED))
        self.resume_after_language()

    def resume_after_language(self) -> None:
        """Ask the current step again; a pending sensitive consent is re-derived by advance."""
        if self.c.state in (SessionState.INVITED, SessionState.AWAITING_CONSENT):
            self.ask_consent()
        elif self.c.current_question is not None:
            self.advance(self.q.index[self.c.current_question] - 1)
        else:
            self.advance(-1)

    def go_back(self) -> None:
        if not self.c.asked:
            self.say(self.tr(texts.NOTHING_TO_GO_BACK_TO))
            self.ask_again()
            return
        previous = self.c.asked.pop()
        self.c.values.pop(previous, None)
        self._decoded = None
        store.set_answer_status(self.connection, self.session_id, [previous], AnswerStatus.REPLACED)
        self.session_changes.update(values=self.c.values, asked=self.c.asked)
        self.set_current(previous, None)
        self.prompt(self.q.question(previous))

    # -- consent --------------------------------------------------------------------------

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

    def consent_text(self) -> str:
        q, language = self.q, self.c.language
        period = format_timedelta(
            datetime.timedelta(days=q.retention_days), threshold=2, locale=language
        )
        parts = [self.local(q.intro)] if q.intro else []
        parts.append(
            self.tr(
                texts.CONSENT_INTRO,
                landlord=self.settings.landlord_name,
                title=self.local(q.title),
                minutes=q.estimated_minutes,
            )
        )
        details = self.tr(
            texts.CONSENT_DETAILS,
            purpose=self.local(q.purpose),
            consent=self.local(q.consent),
            period=period,
            privacy_url=self.settings.privacy_notice_url,
        )
        if any(question.sensitive for question in q.questions):
            details = f"{details} {self.tr(texts.CONSENT_SENSITIVE_OPTIONAL)}"
        parts.append(details)
        parts.append(self.tr(texts.CONSENT_QUESTION))
        return "\n".join(parts)

    def ask_consent(self) -> None:
        self.say(self.consent_text())
        self.yes_no_buttons()

    def yes_no_buttons(self) -> None:
        yes, no = self.tr(texts.BUTTON_YES), self.tr(texts.BUTTON_NO)
        self.buttons = (Button(yes, yes), Button(no, no))

    def record_consent(self, scope: str, outcome: str, shown: str | None = None) -> None:
        digest = hashlib.sha256((shown or "").encode()).hexdigest()
        store.insert_consent(
            self.connection,
            {
                "respondent_id": self.c.respondent_id,
                "session_id": self.c.session_id,
                "questionnaire_id": self.q.id,
                "purpose": self.q.purpose_code,
                "scope": scope,
                "wording_version": self.q.consent_version,
                "text_hash": digest,
                "language": self.c.language,
                "channel": self.channel,
                "outcome": outcome,
                "recorded_at": self.now,
            },
        )

    def consent_reply(self, text: str) -> None:
        agreed = commands.yes_or_no(text, self.tr)
        if agreed is None:
            self.bump_attempts()
            self.say(self.tr(texts.CONSENT_REASK))
            self.yes_no_buttons()
            return
        self.record_consent(
            "questionnaire", "granted" if agreed else "declined", self.consent_text()
        )
        if not agreed:
            self.set_state(SessionState.DECLINED)
            self.say(self.tr(texts.CONSENT_DECLINED))
            return
        self.set_state(SessionState.IN_PROGRESS)
        self.advance(-1)

    def sensitive_text(self, question: Question) -> str:
        assert question.sensitive is not None
        category = question.sensitive.category
        return self.tr(
            texts.SENSITIVE_CONSENT,
            category=self.tr(texts.SENSITIVE_CATEGORY_NAMES[category]),
            why=self.local(question.sensitive.why),
        )

    def sensitive_reply(self, text: str) -> None:
        question = self.current()
        assert question is not None and question.sensitive is not None
        category = question.sensitive.category
        agreed = commands.yes_or_no(text, self.tr)
        if agreed is None and self.bump_attempts() < self.settings.max_reply_attempts:
            self.say(self.tr(texts.INVALID_YES_NO))
            self.say(self.sensitive_text(question))
            self.yes_no_buttons()
            return
        scope = f"sensitive:{category}"
        self.record_consent(
            scope, "granted" if agreed else "declined", self.sensitive_text(question)
        )
        self.c.sensitive_consents[category] = bool(agreed)
        self.session_changes["sensitive_consents"] = self.c.sensitive_consents
        self.advance(self.q.index[question.name] - 1)

    # -- answers --------------------------------------------------------------------------

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

    def answer(self, text: str) -> None:
        question = self.current()
        if question is None:
            self.advance(-1)
            return
        outcome = parse_answer(
            question,
            text,
            language=self.c.language,
            default_language=self.q.default_language,
            tr=self.tr,
            today=self.now.date(),
        )
        if isinstance(outcome, Invalid):
            self.reject(question, outcome.message)
            return
        values = self.decoded_values()
        for constraint in question.constraints:
            if not constraint.rule.evaluate_bool(
                values,
                current=outcome.value,
                today=self.now.date(),
                choice_names=self.q.choice_names,
                current_name=question.name,
            ):
                self.reject(question, constraint.message.get(self.c.language))
                return
        self.store_answer(question, outcome.value, raw=text)
        self.advance(self.q.index[question.name])

    def reject(self, question: Question, message: str) -> None:
        if self.bump_attempts() < self.settings.max_reply_attempts:
            self.say(message)
            self.prompt(question)
            return
        if question.required:
            self.set_state(SessionState.INCOMPLETE)
            self.say(self.tr(texts.INCOMPLETE))
            return
        self.store_answer(question, None, skipped=True)
        self.advance(self.q.index[question.name])

    def store_answer(
        self,
        question: Question,
        value: object,
        *,
        raw: str | None = None,
        skipped: bool = False,
        source_channel: str | None = None,
    ) -> None:
        encoded = encode(value)
        self.answer_rows.append(
            {
                "session_id": self.session_id,
                "question": question.name,
                "raw_text": raw,
                "value": encoded,
                "skipped": skipped,
                "status": AnswerStatus.CURRENT.value,
                "channel": source_channel or self.channel,
                "inbound_message_id": self.inbound_id,
                "answered_at": self.now,
            }
        )
        self.c.values[question.name] = encoded
        self._decoded = None
        if source_channel is None:
            self.c.asked.append(question.name)
        if question.profile is not None and not skipped and source_channel is None:
            store.set_profile(
                self.connection,
                self.c.respondent_id,
                question.profile.attribute,
                encoded,
                f"questionnaire:{self.q.id}:{self.q.version}",
                self.now,
            )
        self.clear_irrelevant()
        self.session_changes.update(values=self.c.values, asked=self.c.asked)

    def clear_irrelevant(self) -> None:
        """Forget answers whose question no longer applies after a changed answer."""
        cleared = []
        for question in self.q.questions:
            if question.name not in self.c.values or question.relevant is None:
                continue
            if not question.relevant.evaluate_bool(
                self.decoded_values(), today=self.now.date(), choice_names=self.q.choice_names
            ):
                self.c.values.pop(question.name)
                self._decoded = None
                if question.name in self.c.asked:
                    self.c.asked.remove(question.name)
                cleared.append(question.name)
        if cleared:
            store.set_answer_status(self.connection, self.session_id, cleared, AnswerStatus.CLEARED)

    def is_relevant(self, question: Question, values: dict[str, object]) -> bool:
        if question.relevant is None:
            return True
        return question.relevant.evaluate_bool(
            values, today=self.now.date(), choice_names=self.q.choice_names
        )

    def advance(self, after: int) -> None:
        """Ask the next relevant question after position `after`, or finish."""
        profile: dict[str, store.ProfileValue] | None = None
        for question in self.q.questions[after + 1 :]:
            if not self.is_relevant(question, self.decoded_values()):
                continue
            if question.type is QuestionType.NOTE:
                self.prompt(question)
                continue
            if question.profile is not None and question.profile.fresh_days is not None:
                if profile is None:
                    profile = self.known_profile()
                known = profile.get(question.profile.attribute)
                limit = datetime.timedelta(days=question.profile.fresh_days)
                if known is not None and self.now - known.recorded_at <= limit:
                    self.store_answer(
                        question, decode(question, known.value), source_channel="profile"
                    )
                    continue
            if question.sensitive is not None:
                consent = self.c.sensitive_consents.get(question.sensitive.category)
                if consent is None:
                    self.set_current(question.name, SENSITIVE_PENDING + question.sensitive.category)
                    self.say(self.sensitive_text(question))
                    self.yes_no_buttons()
                    return
                if consent is False:
                    continue
            self.set_current(question.name, None)
            self.prompt(question)
            return
        self.complete()

    def known_profile(self) -> dict[str, store.ProfileValue]:
        names = [q.profile.attribute for q in self.q.questions if q.profile is not None]
        return store.current_profile(self.connection, self.c.respondent_id, names)

    def complete(self) -> None:
        self.set_state(SessionState.COMPLETED)
        if self.q.outro:
            self.say(self.local(self.q.outro))
        self.say(self.tr(texts.COMPLETED))

    def ask_again(self) -> None:
        if self.c.state in (SessionState.INVITED, SessionState.AWAITING_CONSENT):
            self.ask_consent()
        elif self.c.pending == LANGUAGE_PENDING:
            self.offer_languages()
        elif (question := self.current()) is not None:
            if self.c.pending:
                self.say(self.sensitive_text(question))
                self.yes_no_buttons()
            else:
                self.prompt(question)

    # -- output ---------------------------------------------------------------------------

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
