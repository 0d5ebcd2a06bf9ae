"""What a turn says and writes: session changes, answer rows and the one outbox message."""

from __future__ import annotations

from bot.engine import store, turn_writes
from bot.engine.messages import OutboundMessage
from bot.engine.render import Button, question_prompt
from bot.engine.turn.context import Pending, TurnContext
from bot.i18n import texts
from bot.questionnaire.model import Question
from bot.storage.models import OutboundStatus, SessionState

# The profile attribute and value by which a tenant asks for easy-read wording.
EASY_READ_NEED = ("communication_needs", "easy_read")


def set_state(context: TurnContext, state: SessionState) -> None:
    context.conversation.state = state
    context.session_changes["state"] = state.value
    if state is SessionState.COMPLETED:
        context.session_changes["completed_at"] = context.now
    if not state.is_open:
        set_current(context, None, None)
        # The working copy of the answers is only needed while the conversation is open;
        # the answers table keeps the record (and retention/erasure look after it there).
        context.session_changes.update(values={}, asked=[])


def set_current(context: TurnContext, question: str | None, pending: Pending | None) -> None:
    """Make `question` the one being asked (fresh attempts), waiting for `pending` if set."""
    conversation = context.conversation
    conversation.current_question = question
    conversation.attempts = 0
    set_pending(context, pending)
    context.session_changes.update(current_question=question, attempts=0)


def set_pending(context: TurnContext, pending: Pending | None) -> None:
    conversation = context.conversation
    conversation.pending = pending
    category = None
    if pending is Pending.SENSITIVE_CONSENT:
        question = current_question(context)
        assert question is not None and question.sensitive is not None
        category = question.sensitive.category
    context.session_changes["pending"] = None if pending is None else pending.column(category)


def current_question(context: TurnContext) -> Question | None:
    name = context.conversation.current_question
    return context.questionnaire.question(name) if name else None


def bump_attempts(context: TurnContext) -> int:
    context.conversation.attempts += 1
    context.session_changes["attempts"] = context.conversation.attempts
    return context.conversation.attempts


def yes_no_buttons(context: TurnContext) -> None:
    yes, no = context.translator(texts.BUTTON_YES), context.translator(texts.BUTTON_NO)
    context.reply.buttons = (Button(yes, yes), Button(no, no))


def progress(context: TurnContext, question: Question) -> tuple[int, int]:
    """Where `question` stands among the questions that apply to this tenant: relevant now,
    not declined as sensitive, and not filled in from what the landlord already knows."""
    conversation, questionnaire = context.conversation, context.questionnaire
    values = context.decoded_values()
    applying = []
    for candidate in questionnaire.questions:
        if not candidate.answerable:
            continue
        if candidate.relevant is not None and not candidate.relevant.evaluate_bool(
            values, today=context.now.date(), choice_names=questionnaire.choice_names
        ):
            continue
        sensitive = candidate.sensitive
        consents = conversation.sensitive_consents
        if sensitive is not None and consents.get(sensitive.category) is False:
            continue
        known = candidate.name in conversation.values and candidate.name not in conversation.asked
        if known and candidate.name != question.name:
            continue
        applying.append(candidate.name)
    if question.name not in applying:
        return (len(applying), len(applying))
    return (applying.index(question.name) + 1, len(applying))


def wants_easy_read(context: TurnContext) -> bool:
    """Easy-read wording: for everyone in an easy-read questionnaire, and for a tenant who
    told the landlord they need easy read (their communication needs) wherever a question
    has easy-read words."""
    questionnaire = context.questionnaire
    if questionnaire.easy_read:
        return True
    if not any(question.easy_read for question in questionnaire.questions):
        return False
    known = store.current_profile(
        context.connection, context.conversation.respondent_id, [EASY_READ_NEED[0]]
    ).get(EASY_READ_NEED[0])
    value = known.value if known is not None else None
    return value == EASY_READ_NEED[1] or (isinstance(value, list) and EASY_READ_NEED[1] in value)


def prompt(context: TurnContext, question: Question) -> None:
    """Ask `question`, with its options as buttons."""
    rendered = question_prompt(
        question,
        context.conversation.language,
        questionnaire=context.questionnaire,
        answers=context.decoded_values(),
        landlord=context.settings.landlord_name,
        tr=context.translator,
        progress=progress(context, question) if context.translator.taps else None,
        can_go_back=bool(context.conversation.asked),
        easy_read=wants_easy_read(context),
    )
    context.say(rendered.text)
    context.reply.buttons = rendered.buttons
    context.reply.multiple = rendered.multiple


def _write_changes(context: TurnContext) -> None:
    """The turn's answers and session changes, statement by statement."""
    connection, conversation = context.connection, context.conversation
    store.insert_answers(connection, context.answer_rows)
    if conversation.session_id is not None and context.session_changes:
        store.update_session(connection, conversation.session_id, context.session_changes)


def finish(context: TurnContext) -> list[OutboundMessage]:
    """Write the turn's answers, session changes and reply; the reply is returned."""
    connection, conversation = context.connection, context.conversation
    if conversation.session_id is not None and context.session_changes:
        context.session_changes["updated_at"] = context.now
    reply = context.reply
    if not reply.parts:
        _write_changes(context)
        return []
    body = "\n\n".join(reply.parts)
    language = context.translator.language
    row = {
        "respondent_id": conversation.respondent_id,
        "session_id": conversation.session_id,
        "in_reply_to": context.inbound_id,
        "channel": context.channel,
        "address": context.address,
        "body": body,
        "buttons": [button.stored() for button in reply.buttons],
        "multiple": reply.multiple,
        "language": language,
        "status": OutboundStatus.PENDING.value,
        "attempts": 0,
        "due_at": context.now,
        "created_at": context.now,
    }
    replies: list[OutboundMessage] = []

    def written(outbound_id: int) -> None:
        replies.append(OutboundMessage(
            outbound_id, context.channel, context.address, body, language, reply.buttons,
            reply.multiple, conversation.session_id,
        ))  # fmt: skip

    if context.inbound_id is not None and turn_writes.combines(connection):
        # On PostgreSQL the reply may be written with the commit: the list is filled then,
        # before the caller gets it back.
        turn_writes.write_turn(
            connection, answers=context.answer_rows, session_id=conversation.session_id,
            session_changes=context.session_changes, reply=row, inbound_id=context.inbound_id,
            then=written,
        )  # fmt: skip
    else:
        _write_changes(context)
        outbound_id = store.insert_outbound(connection, row)
        if context.inbound_id is not None:
            store.set_reply(connection, context.inbound_id, outbound_id)
        written(outbound_id)
    return replies
