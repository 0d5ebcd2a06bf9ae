"""Completion steps: closing a conversation that has reached its end or its expiry."""

from __future__ import annotations

from bot.engine.turn.context import TurnContext
from bot.engine.turn.output import set_state
from bot.i18n import texts
from bot.storage.models import SessionState


def complete(context: TurnContext) -> None:
    """Every relevant question is answered: close the session and thank the tenant."""
    set_state(context, SessionState.COMPLETED)
    questionnaire = context.questionnaire
    if questionnaire.outro:
        context.say(context.local(questionnaire.outro))
    context.say(context.translator(texts.COMPLETED))


def expire(context: TurnContext) -> None:
    """A reply after the session's expiry closes it and says so."""
    set_state(context, SessionState.EXPIRED)
    context.say(context.translator(texts.EXPIRED))
