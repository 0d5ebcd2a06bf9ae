"""Command steps: HELP, LANGUAGE, BACK and SKIP in the middle of a conversation."""

from __future__ import annotations

from bot.engine import store
from bot.engine.commands import Command, match_language
from bot.engine.turn import answering
from bot.engine.turn.asking import ask_again, offer_languages, resume
from bot.engine.turn.context import TurnContext
from bot.engine.turn.output import current_question, prompt, set_current, set_pending
from bot.i18n import texts
from bot.storage.models import AnswerStatus, SessionState


def apply_command(context: TurnContext, command: Command) -> bool:
    """Carry out HELP, LANGUAGE, BACK or SKIP; False when the reply is an answer after all."""
    in_progress = context.conversation.state is SessionState.IN_PROGRESS
    if command is Command.HELP:
        context.say(context.translator(texts.HELP_TEXT, landlord=context.settings.landlord_name))
        ask_again(context)
        return True
    if command is Command.LANGUAGE:
        offer_languages(context)
        return True
    if command is Command.BACK and in_progress:
        go_back(context)
        return True
    if command is Command.SKIP and in_progress:
        return skip(context)
    return False


def skip(context: TurnContext) -> bool:
    """Skip an optional question; False when there is no question to skip (an answer)."""
    question = current_question(context)
    if question is None or context.conversation.pending is not None:
        return False
    if question.required:
        context.say(context.translator(texts.REQUIRED_ANSWER))
        ask_again(context)
        return True
    answering.store_answer(context, question, None, skipped=True)
    answering.ask_next(context, after=context.questionnaire.index[question.name])
    return True


def choose_language(context: TurnContext, text: str) -> None:
    """The reply to the language menu: switch and carry on, or show the menu again."""
    chosen = match_language(text, list(context.questionnaire.languages))
    if chosen is None:
        offer_languages(context)
        return
    conversation = context.conversation
    conversation.language = chosen
    context.use_language(chosen)
    set_pending(context, None)
    context.session_changes["language"] = chosen
    store.set_respondent_language(context.connection, conversation.respondent_id, chosen)
    context.say(context.translator(texts.LANGUAGE_CHANGED))
    resume(context)


def go_back(context: TurnContext) -> None:
    """Withdraw the last answer and ask its question again."""
    conversation = context.conversation
    if not conversation.asked:
        context.say(context.translator(texts.NOTHING_TO_GO_BACK_TO))
        ask_again(context)
        return
    previous = conversation.asked.pop()
    conversation.values.pop(previous, None)
    context.decoded = None
    store.set_answer_status(
        context.connection, context.session_id, [previous], AnswerStatus.REPLACED
    )
    context.session_changes.update(values=conversation.values, asked=conversation.asked)
    set_current(context, previous, None)
    prompt(context, context.questionnaire.question(previous))
