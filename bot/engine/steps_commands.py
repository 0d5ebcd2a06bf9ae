"""Command steps: HELP, LANGUAGE, BACK and SKIP in the middle of a conversation."""

from __future__ import annotations

from bot.engine import commands, store
from bot.engine.render import Button
from bot.engine.turn_base import TurnBase
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.questionnaire.model import Question
from bot.storage.models import AnswerStatus, SessionState

LANGUAGE_PENDING = "language"


class CommandSteps(TurnBase):
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

    # Implemented by the conversation flow.
    def store_answer(
        self,
        question: Question,
        value: object,
        *,
        raw: str | None = None,
        skipped: bool = False,
        source_channel: str | None = None,
    ) -> None:
        raise NotImplementedError
