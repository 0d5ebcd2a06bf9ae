"""One synthetic conversation, written as the engine would write it: the invitation, consent,
answers with their inbound messages and one outbox reply per message, profile updates."""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field
from typing import Any

from analysis.demo.answers import answer_for, is_relevant, is_valid, raw_text
from analysis.demo.population import CHANNELS, DemoTenant
from analysis.demo.records import (
    DECLINE_CHANCE,
    QUESTIONNAIRE_APPEAL,
    REMINDER_AFTER,
    SMS_FAILURE,
    STOP_CHANCE,
    TEXT_HASH,
    Ids,
    Rows,
    TenantState,
    address,
    reply_time,
)
from bot.i18n import texts
from bot.i18n.translate import Translator, translator
from bot.questionnaire.model import Questionnaire, QuestionType
from bot.storage.models import AnswerStatus, OutboundStatus, SessionState


@dataclass
class Conversation:
    """Writes the rows of one session; `emit` False replays it without writing (the rows
    exist from an earlier run) so that later rounds see the same history."""

    ids: Ids
    rows: Rows
    tenant: DemoTenant
    state: TenantState
    q: Questionnaire
    version_id: int
    channel: str
    emit: bool
    session_id: int = 0
    language: str = "en"
    last_inbound: dict[str, Any] | None = None
    tr: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.session_id = self.ids.take("sessions") if self.emit else 0
        self.language = (
            "cy"
            if self.tenant.language == "cy" and "cy" in self.q.languages
            else (self.q.default_language)
        )
        self.tr = translator(self.language)

    def say(self, at: datetime.datetime, body: str, *, reply: bool = True) -> None:
        if not self.emit:
            return
        outbound_id = self.ids.take("outbound_messages")
        displayed = self.channel == "webchat"
        self.rows.outbound_messages.append(
            {
                "id": outbound_id, "respondent_id": self.state.respondent_id,
                "session_id": self.session_id,
                "in_reply_to": self.last_inbound["id"] if reply and self.last_inbound else None,
                "channel": self.channel, "address": address(self.tenant, self.channel),
                "body": body, "buttons": [], "multiple": False, "language": self.language,
                "status": (OutboundStatus.DISPLAYED if displayed
                           else OutboundStatus.DELIVERED).value,
                "attempts": 0 if displayed else 1,
                "provider_id": None if displayed else f"demo-out-{outbound_id}",
                "error": None, "due_at": at, "created_at": at,
                "sent_at": None if displayed else at + datetime.timedelta(seconds=2),
            }
        )  # fmt: skip
        if reply and self.last_inbound is not None:
            self.last_inbound["reply_id"] = outbound_id

    def hear(self, at: datetime.datetime, text: str) -> None:
        if not self.emit:
            return
        inbound_id = self.ids.take("inbound_messages")
        self.last_inbound = {
            "id": inbound_id, "channel": self.channel, "provider_id": f"demo-in-{inbound_id}",
            "respondent_id": self.state.respondent_id, "text": text, "received_at": at,
            "reply_id": None,
        }  # fmt: skip
        self.rows.inbound_messages.append(self.last_inbound)

    def consent(self, at: datetime.datetime, scope: str, outcome: str) -> None:
        if self.emit:
            self.rows.consents.append(
                {
                    "id": self.ids.take("consents"), "respondent_id": self.state.respondent_id,
                    "session_id": self.session_id, "questionnaire_id": self.q.id,
                    "purpose": self.q.purpose_code, "scope": scope,
                    "wording_version": self.q.consent_version, "text_hash": TEXT_HASH,
                    "language": self.language, "channel": self.channel, "outcome": outcome,
                    "recorded_at": at,
                }
            )  # fmt: skip

    def answer(
        self, at: datetime.datetime, name: str, value: Any, *, skipped: bool, prefilled: bool
    ) -> None:
        if self.emit:
            self.rows.answers.append(
                {
                    "id": self.ids.take("answers"), "session_id": self.session_id,
                    "question": name, "raw_text": None if prefilled or skipped else (
                        self.last_inbound["text"] if self.last_inbound else None),
                    "value": value, "skipped": skipped, "status": AnswerStatus.CURRENT.value,
                    "channel": "profile" if prefilled else self.channel,
                    "inbound_message_id": None if prefilled or self.last_inbound is None
                    else self.last_inbound["id"],
                    "answered_at": at,
                }
            )  # fmt: skip

    def set_profile(self, at: datetime.datetime, attribute: str, value: Any) -> None:
        state = self.state
        previous = state.profile_rows.get(attribute, "absent")
        state.known[attribute] = (value, at)
        if attribute == "preferred_channel":
            state.stated_channel = self.tenant.stated_channel
        if not self.emit:
            state.profile_rows[attribute] = None
            return
        if isinstance(previous, dict):
            previous["superseded_at"] = at
        elif previous is None:
            self.rows.supersede.append(
                {"respondent": state.respondent_id, "attribute": attribute, "at": at}
            )
        row = {
            "id": self.ids.take("profile_attributes"), "respondent_id": state.respondent_id,
            "name": attribute, "value": value,
            "source": f"questionnaire:{self.q.id}:{self.q.version}",
            "recorded_at": at, "superseded_at": None,
        }  # fmt: skip
        self.rows.profile_attributes.append(row)
        state.profile_rows[attribute] = row

    def opt_out(self, at: datetime.datetime) -> None:
        self.state.opted_out.add(self.channel)
        row = self.state.identities.get(self.channel)
        if row is not None:
            row["opted_out_at"] = at
        elif self.emit:
            self.rows.opt_outs.append(
                {"respondent": self.state.respondent_id, "identity_channel": self.channel, "at": at}
            )


def run_session(
    conversation: Conversation, invite_at: datetime.datetime, rng: random.Random
) -> None:
    """Play one invitation through to its end and write the session row."""
    c, q, tenant = conversation, conversation.q, conversation.tenant
    planted = tenant.planted
    expires_at = invite_at + datetime.timedelta(days=q.expiry_days)
    c.say(invite_at, c.tr(texts.CONSENT_QUESTION) if q.intro is None else q.intro.get(c.language))
    failed = c.channel == "sms" and rng.random() < SMS_FAILURE
    chance = planted.replies[CHANNELS.index(c.channel)] * QUESTIONNAIRE_APPEAL.get(q.id, 1.0)
    replies = not failed and rng.random() < chance
    median = math.log(planted.latency_hours * 3600.0)
    delay = datetime.timedelta(seconds=rng.lognormvariate(median, planted.latency_spread))
    band = rng.choices(list(planted.window), list(planted.window.values()))[0]
    first = reply_time(invite_at + delay, dict(planted.window), band, rng.random())
    stop_draw, decline_draw, complete_draw, quit_draw = (rng.random() for _ in range(4))
    if first >= expires_at - datetime.timedelta(minutes=5):
        replies = False
    if failed and c.emit:
        c.rows.outbound_messages[-1].update(
            status=OutboundStatus.FAILED.value, sent_at=None,
            error="30003 Unreachable destination handset",
        )  # fmt: skip
    elif (not replies or first - invite_at > REMINDER_AFTER) and c.emit:
        c.say(invite_at + REMINDER_AFTER, c.tr(texts.CONSENT_QUESTION), reply=False)
    session: dict[str, Any] = {
        "state": SessionState.EXPIRED.value, "updated_at": expires_at, "completed_at": None,
        "values": {}, "asked": [], "sensitive_consents": {},
    }  # fmt: skip
    if replies:
        if stop_draw < STOP_CHANCE:
            c.hear(first, "STOP")
            c.say(first, c.tr(texts.OPTED_OUT, landlord="Doorstep Demo Housing"))
            c.opt_out(first)
            session.update(state=SessionState.OPTED_OUT.value, updated_at=first)
        elif decline_draw < DECLINE_CHANCE:
            c.hear(first, c.tr(texts.BUTTON_NO))
            c.consent(first, "questionnaire", "declined")
            c.say(first, c.tr(texts.CONSENT_DECLINED))
            session.update(state=SessionState.DECLINED.value, updated_at=first)
        else:
            c.hear(first, c.tr(texts.BUTTON_YES))
            c.consent(first, "questionnaire", "granted")
            session.update(_converse(c, first, rng, complete_draw, quit_draw))
    if c.emit:
        c.rows.sessions.append(
            {
                "id": c.session_id, "respondent_id": c.state.respondent_id,
                "questionnaire_version_id": c.version_id, "channel": c.channel,
                "language": c.language, "current_question": None, "pending": None,
                "attempts": 0, "created_at": invite_at, "expires_at": expires_at, **session,
            }
        )  # fmt: skip


def _converse(
    c: Conversation, start: datetime.datetime, rng: random.Random, complete: float, quit_at: float
) -> dict[str, Any]:
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
                c.say(now, question.sensitive.why.get(c.language))
                now += datetime.timedelta(seconds=rng.lognormvariate(pace, 0.6))
                sensitive[category] = rng.random() < 0.7
                c.hear(now, c.tr(texts.BUTTON_YES if sensitive[category] else texts.BUTTON_NO))
                outcome = "granted" if sensitive[category] else "declined"
                c.consent(now, f"sensitive:{category}", outcome)
            if not sensitive[category]:
                continue
        c.say(now, question.text.get(c.language))
        if not finishes and answered >= quit_at * len(answerable):
            return {"state": SessionState.EXPIRED.value, "updated_at": now}
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
                c.set_profile(now, link.attribute, value)
        asked.append(question.name)
        answered += 1
    closing = "\n\n".join(
        part
        for part in ((q.outro.get(c.language) if q.outro else ""), c.tr(texts.COMPLETED))
        if part
    )
    c.say(now, closing)
    return {
        "state": SessionState.COMPLETED.value, "updated_at": now, "completed_at": now,
        "values": values, "asked": asked, "sensitive_consents": sensitive,
    }  # fmt: skip
