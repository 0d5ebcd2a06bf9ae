"""One synthetic conversation: the invitation, consent, answers and profile updates,
handed to the engine's bulk writer (`bot.engine.bulk`), which stores them as the engine would."""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field
from typing import Any

from analysis.demo.answers import answer_for, is_relevant, is_valid, raw_text
from analysis.demo.population import CHANNELS, DemoTenant, draw_one, summed
from analysis.demo.records import (
    CONSENT_WORDING,
    DECLINE_CHANCE,
    QUESTIONNAIRE_APPEAL,
    REMINDER_AFTER,
    SMS_FAILURE,
    STOP_CHANCE,
    TenantState,
    address,
    reply_time,
)
from bot.engine.bulk import (
    Answered,
    BulkWriter,
    Consented,
    Event,
    Heard,
    OptedOut,
    PastConversation,
    ProfileSet,
    Said,
)
from bot.i18n import texts
from bot.i18n.translate import Translator, translator
from bot.questionnaire.model import LocalText, Questionnaire, QuestionType
from bot.questionnaire.profile_values import to_profile
from bot.storage.models import SessionState

SMS_ERROR = "30003 Unreachable destination handset"


@dataclass
class Conversation:
    """Plays one session; without a `writer` it is a replay of a round an earlier run
    stored, so that later rounds see the same history, and nothing is written."""

    writer: BulkWriter | None
    tenant: DemoTenant
    state: TenantState
    q: Questionnaire
    version_id: int
    channel: str
    landlord: str
    language: str = "en"
    events: list[Event] = field(default_factory=list)
    tr: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.language = (
            "cy"
            if self.tenant.language == "cy" and "cy" in self.q.languages
            else (self.q.default_language)
        )
        self.tr = translator(self.language)

    def local(self, text: LocalText) -> str:
        """Questionnaire text in the session's language, the landlord named."""
        return text.filled(self.language, self.landlord)

    def event(self, event: Event) -> None:
        if self.writer is not None:
            self.events.append(event)

    def say(
        self,
        at: datetime.datetime,
        body: str,
        *,
        reply: bool = True,
        failed: str | None = None,
        purpose: str | None = None,
    ) -> None:
        self.event(Said(at, body, reply, failed, purpose=purpose))

    def hear(self, at: datetime.datetime, text: str) -> None:
        self.event(Heard(at, text))

    def consent(self, at: datetime.datetime, scope: str, outcome: str) -> None:
        self.event(Consented(at, scope, outcome, CONSENT_WORDING))

    def answer(
        self, at: datetime.datetime, name: str, value: Any, *, skipped: bool, prefilled: bool
    ) -> None:
        self.event(Answered(at, name, value, skipped, prefilled))

    def set_profile(
        self, at: datetime.datetime, attribute: str, value: Any, stored: Any = None
    ) -> None:
        """`value` the answer (kept to prefill later answers), `stored` its profile form."""
        state = self.state
        state.known[attribute] = (value, at)
        if attribute == "preferred_channel":
            state.stated_channel = self.tenant.stated_channel
        if self.writer is None:
            state.stored_profile.add(attribute)
            return
        stored = value if stored is None else stored
        self.event(ProfileSet(at, attribute, stored, attribute in state.stored_profile))

    def opt_out(self, at: datetime.datetime) -> None:
        self.state.opted_out.add(self.channel)
        self.event(OptedOut(at))


def run_session(
    conversation: Conversation, invite_at: datetime.datetime, rng: random.Random
) -> None:
    """Play one invitation through to its end and write the session row."""
    c, q, tenant = conversation, conversation.q, conversation.tenant
    planted = tenant.planted
    expires_at = invite_at + datetime.timedelta(days=q.expiry_days)
    failed = c.channel == "sms" and rng.random() < SMS_FAILURE
    invitation = c.tr(texts.CONSENT_QUESTION) if q.intro is None else c.local(q.intro)
    c.say(invite_at, invitation, failed=SMS_ERROR if failed else None, purpose="invitation")
    chance = planted.replies[CHANNELS.index(c.channel)] * QUESTIONNAIRE_APPEAL.get(q.id, 1.0)
    replies = not failed and rng.random() < chance
    median = math.log(planted.latency_hours * 3600.0)
    delay = datetime.timedelta(seconds=rng.lognormvariate(median, planted.latency_spread))
    band = draw_one(rng, *summed(planted.window))
    first = reply_time(invite_at + delay, planted.window, band, rng.random())
    stop_draw, decline_draw, complete_draw, quit_draw = (rng.random() for _ in range(4))
    if first >= expires_at - datetime.timedelta(minutes=5):
        replies = False
    if not failed and (not replies or first - invite_at > REMINDER_AFTER):
        c.say(
            invite_at + REMINDER_AFTER,
            c.tr(texts.CONSENT_QUESTION),
            reply=False,
            purpose="reminder",
        )
    session = PastConversation(
        c.state.respondent_id, q, c.version_id, c.channel, address(tenant, c.channel),
        c.language, created_at=invite_at, expires_at=expires_at, state=SessionState.EXPIRED,
        updated_at=expires_at, events=c.events,
    )  # fmt: skip
    if replies:
        if stop_draw < STOP_CHANCE:
            c.hear(first, "STOP")
            c.say(first, c.tr(texts.OPTED_OUT, landlord=c.landlord))
            c.opt_out(first)
            session.state, session.updated_at = SessionState.OPTED_OUT, first
        elif decline_draw < DECLINE_CHANCE:
            c.hear(first, c.tr(texts.BUTTON_NO))
            c.consent(first, "questionnaire", "declined")
            c.say(first, c.tr(texts.CONSENT_DECLINED))
            session.state, session.updated_at = SessionState.DECLINED, first
        else:
            c.hear(first, c.tr(texts.BUTTON_YES))
            c.consent(first, "questionnaire", "granted")
            _converse(c, session, first, rng, complete_draw, quit_draw)
    if c.writer is not None:
        c.writer.add_conversation(session)


def _converse(
    c: Conversation,
    session: PastConversation,
    start: datetime.datetime,
    rng: random.Random,
    complete: float,
    quit_at: float,
) -> None:
    """The answers after a granted consent; the session ends completed or abandoned."""
    q, tenant, planted = c.q, c.tenant, c.tenant.planted
    answerable = [question for question in q.questions if question.answerable]
    finishes = complete < planted.completes ** (len(answerable) / 8)
    values: dict[str, Any] = {}
    asked: list[str] = []
    sensitive: dict[str, bool] = {}
    now, answered = start, 0
    pace = math.log(planted.pace_seconds)
    for question in answerable:
        if not is_relevant(q, question, values):
            continue
        link = question.profile
        known = c.state.known.get(link.attribute) if link else None
        if (
            link
            and known
            and link.fresh_days
            and now - known[1] <= datetime.timedelta(days=link.fresh_days)
        ):
            values[question.name] = known[0]
            c.answer(now, question.name, known[0], skipped=False, prefilled=True)
            continue
        if question.sensitive is not None:
            category = question.sensitive.category
            if category not in sensitive:
                why = c.local(question.sensitive.why)
                pause = rng.lognormvariate(pace, 0.6)
                now = _sensitive_consent(c, why, category, sensitive, now, pause, rng)
            if not sensitive[category]:
                continue
        c.say(now, c.local(question.text))
        if not finishes and answered >= quit_at * len(answerable):
            session.state, session.updated_at = SessionState.EXPIRED, now
            return
        now += datetime.timedelta(seconds=rng.lognormvariate(pace, 0.6))
        value = answer_for(question, tenant, rng, values)
        for _ in range(5):
            if is_valid(q, question, value, values):
                break
            value = answer_for(question, tenant, rng, values)
        skipped = (
            question.type is QuestionType.TEXT and not question.required and rng.random() < 0.5
        )
        c.hear(now, "skip" if skipped else raw_text(question, value, c.channel, c.language))
        c.answer(now, question.name, None if skipped else value, skipped=skipped, prefilled=False)
        if not skipped:
            values[question.name] = value
            if link is not None:
                c.set_profile(now, link.attribute, value, to_profile(question, value))
        asked.append(question.name)
        answered += 1
    closing = "\n\n".join(
        part for part in ((c.local(q.outro) if q.outro else ""), c.tr(texts.COMPLETED)) if part
    )
    c.say(now, closing)
    session.state, session.updated_at, session.completed_at = SessionState.COMPLETED, now, now
    session.values, session.asked, session.sensitive_consents = values, asked, sensitive


def _sensitive_consent(
    c: Conversation,
    why: str,
    category: str,
    sensitive: dict[str, bool],
    now: datetime.datetime,
    pause: float,
    rng: random.Random,
) -> datetime.datetime:
    """Ask for consent to a sensitive category; returns when the tenant answered."""
    c.say(now, why)
    now += datetime.timedelta(seconds=pause)
    sensitive[category] = rng.random() < 0.7
    c.hear(now, c.tr(texts.BUTTON_YES if sensitive[category] else texts.BUTTON_NO))
    c.consent(now, f"sensitive:{category}", "granted" if sensitive[category] else "declined")
    return now
