"""Consent steps: the consent request, the answer to it, and sensitive-data consent."""

from __future__ import annotations

import hashlib

from bot.engine import commands, store
from bot.engine.render import Button
from bot.engine.turn import answering
from bot.engine.turn.context import Pending, TurnContext
from bot.engine.turn.output import (
    bump_attempts,
    current_question,
    set_pending,
    set_state,
    yes_no_buttons,
)
from bot.i18n import texts
from bot.i18n.translate import Translator, translator
from bot.questionnaire.model import LocalText, Question, Questionnaire
from bot.settings import Settings
from bot.storage.models import SessionState

_CONSENT_TEXTS: dict[tuple[str, str, str, str, bool], str] = {}


def consent_text(context: TurnContext) -> str:
    """The consent request in the conversation's language (bilingual while unknown)."""
    questionnaire, settings = context.questionnaire, context.settings
    channel = context.channel
    if context.conversation.pending is Pending.BILINGUAL_CONSENT:
        welsh = consent_in(questionnaire, settings, "cy", channel)
        english = consent_in(questionnaire, settings, "en", channel)
        return f"{welsh}\n\n{english}"
    return consent_in(questionnaire, settings, context.conversation.language, channel)


def consent_in(
    questionnaire: Questionnaire, settings: Settings, language: str, channel: str = "sms"
) -> str:
    """The same text for every tenant of a questionnaire, language and channel, so cached."""
    tr = translator(language).for_channel(channel)
    key = (questionnaire.source_hash, language, settings.landlord_name,
           settings.privacy_notice_url, tr.taps)  # fmt: skip
    cached = _CONSENT_TEXTS.get(key)
    if cached is None:
        compose = _compose_consent_card if tr.taps else _compose_consent_text
        cached = _CONSENT_TEXTS[key] = compose(questionnaire, settings, tr)
    return cached


def retention_period(questionnaire: Questionnaire, tr: Translator) -> str:
    """How long answers are kept, in words ("2 years"), in the largest whole-ish unit."""
    days = questionnaire.retention_days
    if days >= 365:
        return tr.plural(texts.PERIOD_YEARS, round(days / 365))
    if days >= 60:
        return tr.plural(texts.PERIOD_MONTHS, round(days / 30))
    return tr.plural(texts.PERIOD_DAYS, days)


def _compose_consent_card(questionnaire: Questionnaire, settings: Settings, tr: Translator) -> str:
    """Where the tenant taps: one point a paragraph, the landlord named once, no "reply"."""
    language, landlord = tr.language, settings.landlord_name

    def local(text: LocalText | None) -> str:
        return text.filled(language, landlord) if text else ""

    card = [
        tr.plural(
            texts.CONSENT_CARD_INTRO,
            questionnaire.estimated_minutes,
            landlord=landlord,
            title=local(questionnaire.title),
        )
    ]
    intro = questionnaire.intro
    if intro and "${landlord}" not in intro.get(language):  # the landlord is named above
        card.append(local(intro))
    card.append(tr(texts.CONSENT_CARD_WHY, purpose=local(questionnaire.purpose)))
    if questionnaire.consent:
        card.append(tr(texts.CONSENT_CARD_WHO_SEES, consent=local(questionnaire.consent)))
    kept = tr(texts.CONSENT_CARD_KEPT, period=retention_period(questionnaire, tr))
    if any(question.sensitive for question in questionnaire.questions):
        kept = f"{kept} {tr(texts.CONSENT_SENSITIVE_OPTIONAL)}"
    card.append(kept)
    card.append(tr(texts.CONSENT_CARD_STOP))
    card.append(tr(texts.CONSENT_CARD_PRIVACY, privacy_url=settings.privacy_notice_url))
    card.append(tr(texts.CONSENT_CARD_QUESTION))
    return "\n\n".join(part for part in card if part)


def _compose_consent_text(questionnaire: Questionnaire, settings: Settings, tr: Translator) -> str:
    language = tr.language
    period = retention_period(questionnaire, tr)
    landlord = settings.landlord_name

    def local(text: LocalText | None) -> str:
        return text.filled(language, landlord) if text else ""

    parts = [local(questionnaire.intro)] if questionnaire.intro else []
    parts.append(
        tr.plural(
            texts.CONSENT_INTRO,
            questionnaire.estimated_minutes,
            landlord=landlord,
            title=local(questionnaire.title),
        )
    )
    details = tr(
        texts.CONSENT_DETAILS,
        purpose=local(questionnaire.purpose),
        consent=local(questionnaire.consent),
        period=period,
        privacy_url=settings.privacy_notice_url,
    )
    if any(question.sensitive for question in questionnaire.questions):
        details = f"{details} {tr(texts.CONSENT_SENSITIVE_OPTIONAL)}"
    parts.append(details)
    parts.append(tr(texts.CONSENT_QUESTION))
    return "\n".join(parts)


def ask_consent(context: TurnContext) -> None:
    context.say(consent_text(context))
    consent_buttons(context)


def consent_buttons(context: TurnContext) -> None:
    """Agree / No thanks where the tenant taps (in Welsh and English while the language is
    open: the button tapped settles it); Yes / No otherwise."""
    tr = context.translator
    if not tr.taps:
        yes_no_buttons(context)
        return
    languages = ["cy", "en"] if context.conversation.pending is Pending.BILINGUAL_CONSENT else []
    buttons: list[Button] = []
    for each in [translator(code) for code in languages] or [tr]:
        buttons.append(Button(each(texts.BUTTON_YES), each(texts.BUTTON_AGREE)))
        buttons.append(Button(each(texts.BUTTON_NO), each(texts.BUTTON_NO_THANKS)))
    context.reply.buttons = tuple(buttons)


def record_consent(
    context: TurnContext, scope: str, outcome: str, shown: str | None = None
) -> None:
    """One consent decision, with a hash of the exact wording the tenant answered."""
    questionnaire, conversation = context.questionnaire, context.conversation
    store.insert_consent(
        context.connection,
        {
            "respondent_id": conversation.respondent_id,
            "session_id": conversation.session_id,
            "questionnaire_id": questionnaire.id,
            "purpose": questionnaire.purpose_code,
            "scope": scope,
            "wording_version": questionnaire.consent_version,
            "text_hash": hashlib.sha256((shown or "").encode()).hexdigest(),
            "language": conversation.language,
            "channel": context.channel,
            "outcome": outcome,
            "recorded_at": context.now,
        },
    )


def answer_consent(context: TurnContext, text: str) -> None:
    """The reply to the consent request: carry on, stop, or ask again."""
    shown = consent_text(context)  # the exact text the tenant answered, for the record
    if context.conversation.pending is Pending.BILINGUAL_CONSENT:
        _settle_bilingual(context, text)
    agreed = commands.yes_or_no(text, context.translator)
    if agreed is None:
        bump_attempts(context)
        context.say(context.translator(texts.CONSENT_REASK))
        consent_buttons(context)
        return
    record_consent(context, "questionnaire", "granted" if agreed else "declined", shown)
    if not agreed:
        set_state(context, SessionState.DECLINED)
        context.say(context.translator(texts.CONSENT_DECLINED))
        return
    set_state(context, SessionState.IN_PROGRESS)
    answering.ask_next(context, after=-1)


def _settle_bilingual(context: TurnContext, text: str) -> None:
    """After a bilingual opening, carry on in the language the tenant answered in."""
    welsh = commands.yes_or_no_in(text, "cy")
    language = "cy" if welsh is not None else "en"
    if welsh is None and commands.yes_or_no_in(text, "en") is None:
        return  # not an answer yet: keep asking in both languages
    set_pending(context, None)
    context.conversation.language = language
    context.use_language(language)
    context.session_changes["language"] = language
    store.set_respondent_language(context.connection, context.conversation.respondent_id, language)


def sensitive_request(context: TurnContext, question: Question) -> str:
    """The request for consent to the sensitive category `question` belongs to."""
    assert question.sensitive is not None
    tr = context.translator
    return tr(
        texts.SENSITIVE_CONSENT,
        category=tr(texts.SENSITIVE_CATEGORY_NAMES[question.sensitive.category]),
        why=context.local(question.sensitive.why),
    )


def ask_sensitive_consent(context: TurnContext, question: Question) -> None:
    context.say(sensitive_request(context, question))
    yes_no_buttons(context)


def answer_sensitive_consent(context: TurnContext, text: str) -> None:
    """The reply to a sensitive-data consent request; a refusal skips that category."""
    question = current_question(context)
    assert question is not None and question.sensitive is not None
    category = question.sensitive.category
    agreed = commands.yes_or_no(text, context.translator)
    if agreed is None and bump_attempts(context) < context.settings.max_reply_attempts:
        context.say(context.translator(texts.INVALID_YES_NO))
        ask_sensitive_consent(context, question)
        return
    shown = sensitive_request(context, question)
    record_consent(context, f"sensitive:{category}", "granted" if agreed else "declined", shown)
    context.conversation.sensitive_consents[category] = bool(agreed)
    context.session_changes["sensitive_consents"] = context.conversation.sensitive_consents
    answering.ask_next(context, after=context.questionnaire.index[question.name] - 1)
