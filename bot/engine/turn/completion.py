"""Completion steps: closing a conversation that has reached its end or its expiry."""

from __future__ import annotations

from bot.engine import store
from bot.engine.turn.context import TurnContext
from bot.engine.turn.output import set_state
from bot.i18n import texts
from bot.storage.models import SessionState


def complete(context: TurnContext) -> None:
    """Every relevant question is answered: close the session and thank the tenant."""
    set_state(context, SessionState.COMPLETED)
    questionnaire, tr = context.questionnaire, context.translator
    if not tr.taps:
        if questionnaire.outro:
            context.say(context.local(questionnaire.outro))
        context.say(tr(texts.COMPLETED))
        return
    # One thank-you (the questionnaire's own, if it has one), then what happens next.
    if questionnaire.outro:
        context.say(f"{context.local(questionnaire.outro)} {tr(texts.SAVED)}")
    else:
        context.say(tr(texts.COMPLETED))
    if store.raised_concern(context.connection, context.session_id):
        context.say(tr(texts.NEXT_CONCERN, landlord=context.settings.landlord_name))
    else:
        context.say(tr(texts.NEXT_NOTHING))


def expire(context: TurnContext) -> None:
    """A reply after the session's expiry closes it and says so."""
    set_state(context, SessionState.EXPIRED)
    context.say(context.translator(texts.EXPIRED))
