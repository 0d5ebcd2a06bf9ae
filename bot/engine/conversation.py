"""One turn of a conversation: read the reply, move the session on, say what comes next."""

from __future__ import annotations

import datetime

from bot.concerns.detect import concern_reasons
from bot.concerns.models import ConcernStatus
from bot.engine import commands, store
from bot.engine.answers import Invalid, decode, encode, parse_answer
from bot.engine.consent import BILINGUAL_PENDING, ConsentSteps
from bot.engine.conversation_state import Conversation
from bot.engine.messages import OutboundMessage
from bot.engine.steps_commands import LANGUAGE_PENDING, CommandSteps
from bot.i18n import texts
from bot.i18n.languages import base_language
from bot.i18n.translate import translator
from bot.outreach.optout import opt_out_address
from bot.questionnaire.model import Question, Questionnaire, QuestionType
from bot.storage.models import AnswerStatus, SessionState
from bot.storage.tables import CONCERNS

SENSITIVE_PENDING = "sensitive:"

__all__ = ["Conversation", "Turn"]


class Turn(ConsentSteps, CommandSteps):
    """Handles one inbound message (or one invitation) inside the caller's transaction."""

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
        bilingual = self._bilingual_opening(questionnaire)
        if bilingual:
            language = "cy"
            self.c.pending = BILINGUAL_PENDING
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
                "pending": self.c.pending,
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

    def _candidates(self) -> list[str]:
        """The tenant's stored choice first, then the channel's hint."""
        hint = self.inbound.locale_hint if self.inbound else None
        return [tag for tag in (self.c.respondent_language, hint) if tag]

    def pick_language(self, questionnaire: Questionnaire) -> str:
        for candidate in self._candidates():
            if base_language(candidate) in questionnaire.languages:
                return base_language(candidate)
        return questionnaire.default_language

    def _bilingual_opening(self, questionnaire: Questionnaire) -> bool:
        """A Welsh-language landlord opens in Welsh and English until the tenant chooses."""
        return (
            self.settings.welsh_language_landlord
            and not self._candidates()
            and {"cy", "en"} <= set(questionnaire.languages)
        )

    def no_session(self, text: str, command: commands.Command | None) -> list[OutboundMessage]:
        questionnaire = self.engine.registry.by_keyword(text)
        if questionnaire is not None:
            return self.open_session(questionnaire, SessionState.AWAITING_CONSENT)
        key = texts.HELP_TEXT if command is commands.Command.HELP else texts.NO_SURVEY
        self.say(self.tr(key, landlord=self.settings.landlord_name))
        return self.finish()

    def opt_out(self) -> list[OutboundMessage]:
        # Also cancels anything still queued for this address (reminders, invitations).
        opt_out_address(self.connection, self.channel, self.address, self.now, "STOP")
        if self.c.session_id is not None:
            if self.c.state is SessionState.IN_PROGRESS:
                self.record_consent("questionnaire", "withdrawn")
            self.set_state(SessionState.OPTED_OUT)
        self.say(self.tr(texts.OPTED_OUT, landlord=self.settings.landlord_name))
        return self.finish()

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
        if not skipped and source_channel is None:
            self.raise_concerns(question, value)
        self.clear_irrelevant()
        self.session_changes.update(values=self.c.values, asked=self.c.asked)

    def raise_concerns(self, question: Question, value: object) -> None:
        for reason in concern_reasons(self.q, question, value, self.c.language):
            store.insert_row(
                self.connection,
                CONCERNS,
                {
                    "respondent_id": self.c.respondent_id,
                    "session_id": self.session_id,
                    "questionnaire_id": self.q.id,
                    "question": question.name,
                    "reason": reason[:200],
                    "raised_at": self.now,
                    "status": ConcernStatus.OPEN.value,
                },
            )

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
