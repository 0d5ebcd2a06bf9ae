"""One turn of a conversation: read the reply, move the session on, say what comes next.

A turn is a `TurnContext` (the loaded conversation, its questionnaire, the translator, what
the turn will write and say) passed through plain step functions, one module per concern:

- `flow`: the entry points the engine calls (a reply, an invitation, a reminder, STOP);
- `commands`: HELP, LANGUAGE, BACK and SKIP in the middle of a conversation;
- `consent`: the consent request, the answer to it, and sensitive-data consent;
- `answering`: reading an answer, storing it, and choosing the next question;
- `completion`: closing a finished conversation;
- `asking`: asking the current step again (HELP, reminders, a changed language);
- `output`: what a turn says, and its writes to the session, answers and outbox.

Nothing outside `bot/engine/` imports this package; channels go through `Engine`.
"""
