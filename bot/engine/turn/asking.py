"""Asking the current step again: after HELP, in a reminder, or in a newly chosen language."""

from __future__ import annotations

from bot.engine.render import Button
from bot.engine.turn import answering
from bot.engine.turn.consent import ask_consent, ask_sensitive_consent
from bot.engine.turn.context import Pending, TurnContext
from bot.engine.turn.output import current_question, prompt, set_pending
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES


def ask_again(context: TurnContext) -> None:
    """Repeat whatever the conversation is waiting for."""
    conversation = context.conversation
    if conversation.awaiting_consent:
        ask_consent(context)
    elif conversation.pending is Pending.LANGUAGE:
        offer_languages(context)
    elif (question := current_question(context)) is not None:
        if conversation.pending is not None:
            ask_sensitive_consent(context, question)
        else:
            prompt(context, question)


def resume(context: TurnContext) -> None:
    """Ask the current step again after a language change; a pending sensitive consent is
    worked out again by `ask_next`."""
    conversation = context.conversation
    if conversation.awaiting_consent:
        ask_consent(context)
    elif conversation.current_question is not None:
        position = context.questionnaire.index[conversation.current_question]
        answering.ask_next(context, after=position - 1)
    else:
        answering.ask_next(context, after=-1)


def offer_languages(context: TurnContext) -> None:
    """The numbered menu of the questionnaire's languages, each in its own name."""
    set_pending(context, Pending.LANGUAGE)
    codes = list(context.questionnaire.languages)
    context.say(context.translator(texts.CHOOSE_LANGUAGE))
    buttons = tuple(
        Button(str(n), LANGUAGES[code].native_name if code in LANGUAGES else code)
        for n, code in enumerate(codes, start=1)
    )
    context.reply.buttons = buttons
    context.say("\n".join(f"{button.reply} {button.label}" for button in buttons))
