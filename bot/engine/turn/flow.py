"""The turn's entry points: a tenant's reply, an invitation, a reminder."""

from __future__ import annotations

import datetime

from bot.engine import store
from bot.engine.commands import Command, detect, keyword_and_language
from bot.engine.messages import OutboundMessage
from bot.engine.turn import answering, commands, completion
from bot.engine.turn.asking import ask_again
from bot.engine.turn.consent import (
    answer_consent,
    answer_sensitive_consent,
    ask_consent,
)
from bot.engine.turn.context import Pending, TurnContext
from bot.engine.turn.output import finish, set_state
from bot.i18n import texts
from bot.i18n.languages import base_language
from bot.i18n.translate import translator
from bot.outreach.optout import opt_out_address
from bot.questionnaire.model import Questionnaire
from bot.storage.models import SessionState

# What a number that has no conversation open may send: opt out, opt back in, ask for help.
KEYWORDS = (Command.STOP, Command.START, Command.HELP)


def reply_to(context: TurnContext, text: str) -> list[OutboundMessage]:
    """Answer one inbound message: a command, or the next step of the conversation."""
    conversation = context.conversation
    command = detect(text, context.translator)
    if command is None and (conversation.session_id is None or conversation.opted_out):
        # No conversation to read it in: a keyword of any language, answered in that language.
        found = keyword_and_language(text, KEYWORDS)
        if found is not None:
            command, language = found
            context.translator = translator(language).for_channel(context.channel)
    if conversation.opted_out:
        if command is Command.START:
            store.set_opted_out(context.connection, conversation.identity_id, None)
            landlord = context.settings.landlord_name
            context.say(context.translator(texts.OPTED_IN, landlord=landlord))
        return finish(context)
    if command is Command.STOP:
        return opt_out(context)
    if conversation.session_id is None or conversation.questionnaire is None:
        return no_session(context, text, command)
    if conversation.expires_at is not None and conversation.expires_at <= context.now:
        completion.expire(context)
        return finish(context)
    if command is not None and commands.apply_command(context, command):
        return finish(context)
    if conversation.pending is Pending.LANGUAGE:
        commands.choose_language(context, text)
    elif conversation.awaiting_consent:
        answer_consent(context, text)
    elif conversation.pending is Pending.SENSITIVE_CONSENT:
        answer_sensitive_consent(context, text)
    else:
        answering.answer_question(context, text)
    return finish(context)


def open_session(
    context: TurnContext, questionnaire: Questionnaire, state: SessionState
) -> list[OutboundMessage]:
    """Start `questionnaire` with the consent request (in Welsh and English if unsure)."""
    conversation = context.conversation
    language = pick_language(context, questionnaire)
    pending = None
    if _bilingual_opening(context, questionnaire):
        language, pending = "cy", Pending.BILINGUAL_CONSENT
    conversation.pending = pending
    conversation.questionnaire = questionnaire
    conversation.language = language
    context.use_language(language)
    expires = context.now + datetime.timedelta(days=questionnaire.expiry_days)
    conversation.state = state
    conversation.expires_at = expires
    conversation.session_id = store.create_session(
        context.connection,
        {
            "respondent_id": conversation.respondent_id,
            "questionnaire_version_id": context.registry.version_id(
                context.connection, questionnaire
            ),
            "channel": context.channel,
            "state": state.value,
            "language": language,
            "pending": None if pending is None else pending.column(None),
            "attempts": 0,
            "values": {},
            "asked": [],
            "sensitive_consents": {},
            "created_at": context.now,
            "updated_at": context.now,
            "expires_at": expires,
        },
    )
    ask_consent(context)
    return finish(context)


def _language_candidates(context: TurnContext) -> list[str]:
    """The tenant's stored choice first, then the channel's hint."""
    hint = context.inbound.locale_hint if context.inbound else None
    return [tag for tag in (context.conversation.respondent_language, hint) if tag]


def pick_language(context: TurnContext, questionnaire: Questionnaire) -> str:
    for candidate in _language_candidates(context):
        if base_language(candidate) in questionnaire.languages:
            return base_language(candidate)
    return questionnaire.default_language


def _bilingual_opening(context: TurnContext, questionnaire: Questionnaire) -> bool:
    """A Welsh-language landlord opens in Welsh and English until the tenant chooses."""
    return (
        context.settings.welsh_language_landlord
        and not _language_candidates(context)
        and {"cy", "en"} <= set(questionnaire.languages)
    )


def no_session(context: TurnContext, text: str, command: Command | None) -> list[OutboundMessage]:
    """No open conversation: a survey keyword starts one, anything else gets help."""
    questionnaire = context.registry.by_keyword(text)
    if questionnaire is not None:
        return open_session(context, questionnaire, SessionState.AWAITING_CONSENT)
    key = texts.HELP_NO_SURVEY if command is Command.HELP else texts.NO_SURVEY
    context.say(context.translator(key, landlord=context.settings.landlord_name))
    return finish(context)


def opt_out(context: TurnContext) -> list[OutboundMessage]:
    """STOP: no more messages on this address, and an open survey ends here."""
    conversation = context.conversation
    # Also cancels anything still queued for this address (reminders, invitations) and
    # records the withdrawal of every consent granted in the open conversation.
    opt_out_address(context.connection, context.channel, context.address, context.now, "STOP")
    if conversation.session_id is not None:
        set_state(context, SessionState.OPTED_OUT)
    context.say(context.translator(texts.OPTED_OUT, landlord=context.settings.landlord_name))
    return finish(context)


def remind(context: TurnContext) -> list[OutboundMessage]:
    """Ask the open conversation's current step again."""
    ask_again(context)
    return finish(context)
