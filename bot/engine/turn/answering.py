"""Answering steps: read a reply as an answer, store it, and choose the next question."""

from __future__ import annotations

import datetime

from bot.concerns.cases import acknowledgement, open_cases
from bot.concerns.detect import find_cases
from bot.engine import store
from bot.engine.answers import Invalid, decode, encode, parse_answer
from bot.engine.turn import completion, consent
from bot.engine.turn.context import Pending, TurnContext
from bot.engine.turn.output import bump_attempts, current_question, prompt, set_current, set_state
from bot.i18n import texts
from bot.questionnaire.model import Question, QuestionType
from bot.questionnaire.profile_values import from_profile, to_profile
from bot.storage.models import AnswerStatus, SessionState


def answer_question(context: TurnContext, text: str) -> None:
    """The reply to the current question: store it and ask the next, or ask again."""
    question = current_question(context)
    if question is None:
        ask_next(context, after=-1)
        return
    questionnaire, language = context.questionnaire, context.conversation.language
    outcome = parse_answer(
        question,
        text,
        language=language,
        default_language=questionnaire.default_language,
        tr=context.translator,
        today=context.now.date(),
    )
    if isinstance(outcome, Invalid):
        reject(context, question, outcome.message)
        return
    values = context.decoded_values()
    for constraint in question.constraints:
        if not constraint.rule.evaluate_bool(
            values,
            current=outcome.value,
            today=context.now.date(),
            choice_names=questionnaire.choice_names,
            current_name=question.name,
        ):
            reject(context, question, constraint.message.get(language))
            return
    store_answer(context, question, outcome.value, raw=text)
    ask_next(context, after=questionnaire.index[question.name])


def reject(context: TurnContext, question: Question, message: str) -> None:
    """Say why the reply is not an answer; after too many tries skip or stop."""
    if bump_attempts(context) < context.settings.max_reply_attempts:
        context.say(message)
        prompt(context, question)
        return
    if question.required:
        set_state(context, SessionState.INCOMPLETE)
        context.say(context.translator(texts.INCOMPLETE))
        return
    store_answer(context, question, None, skipped=True)
    ask_next(context, after=context.questionnaire.index[question.name])


def store_answer(
    context: TurnContext,
    question: Question,
    value: object,
    *,
    raw: str | None = None,
    skipped: bool = False,
    source_channel: str | None = None,
) -> None:
    """Keep one answer; `source_channel` "profile" marks one filled in from what we know."""
    conversation, questionnaire = context.conversation, context.questionnaire
    encoded = encode(value)
    context.answer_rows.append(
        {
            "session_id": context.session_id,
            "question": question.name,
            "raw_text": raw,
            "value": encoded,
            "skipped": skipped,
            "status": AnswerStatus.CURRENT.value,
            "channel": source_channel or context.channel,
            "inbound_message_id": context.inbound_id,
            "answered_at": context.now,
        }
    )
    conversation.values[question.name] = encoded
    context.decoded = None
    given_now = source_channel is None
    if given_now:
        conversation.asked.append(question.name)
    if question.profile is not None and not skipped and given_now:
        store.set_profile(
            context.connection,
            conversation.respondent_id,
            question.profile.attribute,
            to_profile(question, encoded),
            f"questionnaire:{questionnaire.id}:{questionnaire.version}",
            context.now,
        )
    if not skipped and given_now:
        raise_concerns(context, question, value)
    clear_irrelevant(context)
    context.session_changes.update(values=conversation.values, asked=conversation.asked)


def raise_concerns(context: TurnContext, question: Question, value: object) -> None:
    """An answer that needs a person's attention opens a case, and the tenant hears back."""
    questionnaire = context.questionnaire
    findings = find_cases(questionnaire, question, value, context.conversation.language)
    if not findings:
        return
    contact_by = open_cases(
        context.connection,
        findings,
        respondent_id=context.conversation.respondent_id,
        session_id=context.session_id,
        questionnaire_id=questionnaire.id,
        question=question.name,
        now=context.now,
    )
    context.say(
        acknowledgement(
            context.translator,
            context.settings.landlord_name,
            contact_by,
            anonymous=questionnaire.anonymous,
        )
    )


def clear_irrelevant(context: TurnContext) -> None:
    """Forget answers whose question no longer applies after a changed answer."""
    conversation, questionnaire = context.conversation, context.questionnaire
    cleared = []
    for question in questionnaire.questions:
        if question.name not in conversation.values or question.relevant is None:
            continue
        if not question.relevant.evaluate_bool(
            context.decoded_values(),
            today=context.now.date(),
            choice_names=questionnaire.choice_names,
        ):
            conversation.values.pop(question.name)
            context.decoded = None
            if question.name in conversation.asked:
                conversation.asked.remove(question.name)
            cleared.append(question.name)
    if cleared:
        store.set_answer_status(
            context.connection, context.session_id, cleared, AnswerStatus.CLEARED
        )


def is_relevant(context: TurnContext, question: Question) -> bool:
    if question.relevant is None:
        return True
    return question.relevant.evaluate_bool(
        context.decoded_values(),
        today=context.now.date(),
        choice_names=context.questionnaire.choice_names,
    )


def ask_next(context: TurnContext, *, after: int) -> None:
    """Ask the next relevant question after position `after`, or complete the session."""
    profile: dict[str, store.ProfileValue] | None = None
    for question in context.questionnaire.questions[after + 1 :]:
        if not is_relevant(context, question):
            continue
        if question.type is QuestionType.NOTE:
            prompt(context, question)
            continue
        if question.profile is not None and question.profile.fresh_days is not None:
            if profile is None:
                profile = known_profile(context)
            known = profile.get(question.profile.attribute)
            limit = datetime.timedelta(days=question.profile.fresh_days)
            fresh = known is not None and context.now - known.recorded_at <= limit
            answer = from_profile(question, known.value) if known is not None else None
            if fresh and answer is not None:
                store_answer(context, question, decode(question, answer), source_channel="profile")
                continue
        if question.sensitive is not None:
            agreed = context.conversation.sensitive_consents.get(question.sensitive.category)
            if agreed is None:
                set_current(context, question.name, Pending.SENSITIVE_CONSENT)
                consent.ask_sensitive_consent(context, question)
                return
            if agreed is False:
                continue
        set_current(context, question.name, None)
        prompt(context, question)
        return
    completion.complete(context)


def known_profile(context: TurnContext) -> dict[str, store.ProfileValue]:
    """What the landlord already knows about the tenant, for questions that reuse it."""
    questions = context.questionnaire.questions
    names = [q.profile.attribute for q in questions if q.profile is not None]
    return store.current_profile(context.connection, context.conversation.respondent_id, names)
