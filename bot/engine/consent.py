"""Consent steps: the consent request, the answer to it, and sensitive-data consent."""

from __future__ import annotations

import datetime
import hashlib

from babel.dates import format_timedelta

from bot.engine import commands, store
from bot.engine.turn_base import TurnBase
from bot.i18n import texts
from bot.i18n.translate import translator
from bot.questionnaire.model import LocalText, Question
from bot.storage.models import SessionState

_CONSENT_TEXTS: dict[tuple[str, str, str, str], str] = {}
BILINGUAL_PENDING = "bilingual"


class ConsentSteps(TurnBase):
    def consent_text(self) -> str:
        """The consent request in the conversation's language (bilingual while unknown)."""
        if self.c.pending == BILINGUAL_PENDING:
            welsh, english = self._consent_in("cy"), self._consent_in("en")
            return f"{welsh}\n\n{english}"
        return self._consent_in(self.c.language)

    def _consent_in(self, language: str) -> str:
        """The same text for every tenant of a questionnaire and language, so cached."""
        key = (self.q.source_hash, language, self.settings.landlord_name,
               self.settings.privacy_notice_url)  # fmt: skip
        cached = _CONSENT_TEXTS.get(key)
        if cached is None:
            cached = _CONSENT_TEXTS[key] = self._compose_consent_text(language)
        return cached

    def _compose_consent_text(self, language: str) -> str:
        q, tr = self.q, translator(language)
        period = format_timedelta(
            datetime.timedelta(days=q.retention_days), threshold=2, locale=language
        )
        landlord = self.settings.landlord_name

        def local(text: LocalText | None) -> str:
            return text.get(language).replace("${landlord}", landlord) if text else ""

        parts = [local(q.intro)] if q.intro else []
        parts.append(
            tr.plural(
                texts.CONSENT_INTRO,
                q.estimated_minutes,
                landlord=landlord,
                title=local(q.title),
            )
        )
        details = tr(
            texts.CONSENT_DETAILS,
            purpose=local(q.purpose),
            consent=local(q.consent),
            period=period,
            privacy_url=self.settings.privacy_notice_url,
        )
        if any(question.sensitive for question in q.questions):
            details = f"{details} {tr(texts.CONSENT_SENSITIVE_OPTIONAL)}"
        parts.append(details)
        parts.append(tr(texts.CONSENT_QUESTION))
        return "\n".join(parts)

    def ask_consent(self) -> None:
        self.say(self.consent_text())
        self.yes_no_buttons()

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
        shown = self.consent_text()  # the exact text the tenant answered, for the record
        if self.c.pending == BILINGUAL_PENDING:
            self._settle_bilingual(text)
        agreed = commands.yes_or_no(text, self.tr)
        if agreed is None:
            self.bump_attempts()
            self.say(self.tr(texts.CONSENT_REASK))
            self.yes_no_buttons()
            return
        self.record_consent("questionnaire", "granted" if agreed else "declined", shown)
        if not agreed:
            self.set_state(SessionState.DECLINED)
            self.say(self.tr(texts.CONSENT_DECLINED))
            return
        self.set_state(SessionState.IN_PROGRESS)
        self.advance(-1)

    def _settle_bilingual(self, text: str) -> None:
        """After a bilingual opening, carry on in the language the tenant answered in."""
        welsh = commands.yes_or_no_in(text, "cy")
        language = "cy" if welsh is not None else "en"
        if welsh is None and commands.yes_or_no_in(text, "en") is None:
            return  # not an answer yet: keep asking in both languages
        self.c.pending = None
        self.c.language = language
        self.tr = translator(language)
        self.session_changes.update(pending=None, language=language)
        store.set_respondent_language(self.connection, self.c.respondent_id, language)

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
