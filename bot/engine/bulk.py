"""Writing many past conversations at once, exactly as the engine stores them.

For synthetic history (`doorstep demo-data`): a caller describes each finished or abandoned
conversation as a `PastConversation` (what was said and heard, consents, answers, profile
changes, an opt-out) and `BulkWriter` turns it into the rows `Engine.handle` would have left:
an inbound row per message heard, one outbox row per message said (linked to the message it
answers), consent rows with the wording's hash, answers linked to the message that gave
them, profile values with their history, and the session row.

Ids are handed out here rather than by the database, so a whole block is inserted with one
statement per table; on PostgreSQL the tables are locked for the transaction and their
sequences moved past the ids used. Rows are built as lists already in their stored form
(`bot.engine.bulk_insert`: datetimes and JSON as SQLAlchemy would write them) and go to the
driver untouched: `executemany` on SQLite, `COPY` on PostgreSQL.
`tests/bot/engine/test_bulk.py` plays one conversation through `Engine` and through this
writer and compares the stored rows table by table, on both databases.

Messages are synthetic: none can ever be sent; a message off the page counts as delivered
two seconds after it was due (the dispatcher's part of the outbox row).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, select, text, update

from bot.engine.bulk_insert import bulk_loading as bulk_loading  # public: the demo's load
from bot.engine.bulk_insert import insert_rows
from bot.questionnaire.model import Questionnaire
from bot.storage.models import AnswerStatus, OutboundStatus, SessionState
from bot.storage.stored_form import stored_form
from bot.storage.tables import (
    ANSWERS,
    CONSENTS,
    IDENTITIES,
    INBOUND,
    OUTBOUND,
    PROFILE,
    RESPONDENTS,
    SESSIONS,
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (RESPONDENTS, IDENTITIES, SESSIONS, INBOUND, OUTBOUND, ANSWERS, CONSENTS, PROFILE)
}
# The columns each row list holds, in order; the others stay NULL, as the engine leaves them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "respondents": ("id", "tenant_ref", "language", "timezone", "created_at"),
    "channel_identities": ("id", "respondent_id", "channel", "address", "opted_out_at",
                           "created_at"),
    "sessions": ("id", "respondent_id", "questionnaire_version_id", "channel", "language",
                 "attempts", "created_at", "expires_at", "state", "updated_at", "completed_at",
                 "values", "asked", "sensitive_consents"),
    "inbound_messages": ("id", "channel", "provider_id", "respondent_id", "text", "received_at",
                         "reply_id"),
    "outbound_messages": ("id", "respondent_id", "session_id", "in_reply_to", "channel",
                          "address", "body", "buttons", "multiple", "language", "status",
                          "attempts", "provider_id", "error", "due_at", "created_at", "sent_at",
                          "purpose"),
    "answers": ("id", "session_id", "question", "raw_text", "value", "skipped", "status",
                "channel", "inbound_message_id", "answered_at"),
    "consents": ("id", "respondent_id", "session_id", "questionnaire_id", "purpose", "scope",
                 "wording_version", "text_hash", "language", "channel", "outcome",
                 "recorded_at"),
    "profile_attributes": ("id", "respondent_id", "name", "value", "source", "recorded_at",
                           "superseded_at"),
}  # fmt: skip
IDENTITY_OPTED_OUT = COLUMNS["channel_identities"].index("opted_out_at")
INBOUND_REPLY = COLUMNS["inbound_messages"].index("reply_id")
INBOUND_TEXT = COLUMNS["inbound_messages"].index("text")
PROFILE_SUPERSEDED = COLUMNS["profile_attributes"].index("superseded_at")
DELIVERY_DELAY = datetime.timedelta(seconds=2)
MADE_LATER = "\x00"  # a provider id made from the row's final id, once a block is adopted
SHOWN_ON_PAGE = frozenset({"webchat"})  # channels whose messages are displayed, not sent


# Events are made by the million in a demo load; a frozen dataclass's `__init__` costs three
# times a plain one's (each field set through `object.__setattr__`), so they are plain
# slotted records, made once and never changed.
@dataclass(slots=True)
class Said:
    """A message to the tenant; `reply` links it to the last message heard."""

    at: datetime.datetime
    body: str
    reply: bool = True
    failed: str | None = None  # the provider's error, for a message never delivered
    buttons: tuple[tuple[str, ...], ...] = ()  # as the engine stores them (Button.stored)
    multiple: bool = False
    purpose: str | None = None  # "invitation" or "reminder", as the engine marks them


@dataclass(slots=True)
class Heard:
    at: datetime.datetime
    text: str
    provider_id: str | None = None  # the provider's message id; made up when not given


@dataclass(slots=True)
class Consented:
    at: datetime.datetime
    scope: str  # "questionnaire" or "sensitive:<category>"
    outcome: str  # granted, declined or withdrawn
    wording: str  # the text the tenant answered (only its hash is stored)


@dataclass(slots=True)
class Answered:
    """An answer; `prefilled` ones come from the tenant's profile, not from a message."""

    at: datetime.datetime
    question: str
    value: Any
    skipped: bool = False
    prefilled: bool = False


@dataclass(slots=True)
class ProfileSet:
    """A new profile value; `stored_before` when the current value is already stored."""

    at: datetime.datetime
    attribute: str
    value: Any
    stored_before: bool = False


@dataclass(slots=True)
class OptedOut:
    at: datetime.datetime  # the tenant's address on the conversation's channel opts out


Event = Said | Heard | Consented | Answered | ProfileSet | OptedOut


@dataclass(slots=True)
class PastConversation:
    """One session from invitation to its end, and what happened in it, in order."""

    respondent_id: int
    questionnaire: Questionnaire
    version_id: int
    channel: str
    address: str
    language: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    state: SessionState
    updated_at: datetime.datetime
    completed_at: datetime.datetime | None = None
    values: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    sensitive_consents: dict[str, bool] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    respondents: int
    sessions: int
    answers: int
    inbound: int
    outbound: int


class BulkWriter:
    """Collects rows for one transaction; `write` inserts them."""

    def __init__(
        self, connection: Connection | None, *, provider_prefix: str = "bulk", dialect: str = ""
    ) -> None:
        """Without a connection the writer is detached (`bot.engine.bulk_blocks`): rows get
        block-local ids, made final when a connected writer adopts them."""
        self.connection = connection
        self.prefix = provider_prefix
        self.detached = connection is None
        dialect = connection.dialect.name if connection is not None else dialect
        self.postgres = dialect == "postgresql"
        self.stamp, self.json, self.flag = stored_form(dialect)
        self.next_id = dict.fromkeys(TABLES, 1)
        if connection is not None:
            if self.postgres:
                # Explicit ids: keep other writers out until the sequences move past them.
                names = ", ".join(TABLES)
                connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
            for name, table in TABLES.items():
                largest = select(func.coalesce(func.max(table.c.id), 0))
                self.next_id[name] = int(connection.execute(largest).scalar_one()) + 1
        self.rows: dict[str, list[list[Any]]] = {name: [] for name in TABLES}
        self._identities: dict[tuple[int, str], list[Any]] = {}
        self._profile: dict[tuple[int, str], list[Any]] = {}
        self._supersede: list[dict[str, Any]] = []  # stored profile values made history
        self._opt_outs: list[dict[str, Any]] = []  # stored addresses opted out

    def _take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        # Detached, new respondents count down from -1: apart from stored respondents' ids.
        return -value if self.detached and table == "respondents" else value

    def _provider_id(self, direction: str, row_id: int) -> str:
        return MADE_LATER if self.detached else f"{self.prefix}-{direction}-{row_id}"

    def add_respondent(
        self, *, tenant_ref: str | None, language: str | None, created_at: datetime.datetime
    ) -> int:
        respondent_id = self._take("respondents")
        self.rows["respondents"].append(
            [respondent_id, tenant_ref, language, "Europe/London", self.stamp(created_at)]
        )
        return respondent_id

    def add_identity(
        self, *, respondent_id: int, channel: str, address: str, created_at: datetime.datetime
    ) -> None:
        row = [self._take("channel_identities"), respondent_id, channel, address, None,
               self.stamp(created_at)]  # fmt: skip
        self.rows["channel_identities"].append(row)
        self._identities[(respondent_id, channel)] = row

    def add_conversation(self, conversation: PastConversation) -> None:
        """The rows of one conversation, its events in the order they happened."""
        writing = _Conversation(self, conversation, self._take("sessions"))
        for event in conversation.events:
            writing.apply(event)
        self.rows["sessions"].append(writing.session_row())

    def write(self) -> Written:
        """Insert everything collected, after updating rows stored by earlier writes."""
        connection = self.connection
        assert connection is not None, "a detached writer's rows are written by adopting them"
        # Earlier rows first, so the new current values are not superseded with them.
        if self._supersede:
            connection.execute(
                update(PROFILE)
                .where(
                    and_(
                        PROFILE.c.respondent_id == bindparam("respondent"),
                        PROFILE.c.name == bindparam("attribute"),
                        PROFILE.c.superseded_at.is_(None),
                    )
                )
                .values(superseded_at=bindparam("at")),
                self._supersede,
            )
        if self._opt_outs:
            connection.execute(
                update(IDENTITIES)
                .where(
                    IDENTITIES.c.respondent_id == bindparam("respondent"),
                    IDENTITIES.c.channel == bindparam("identity_channel"),
                )
                .values(opted_out_at=bindparam("at")),
                self._opt_outs,
            )
        for name, table in TABLES.items():
            insert_rows(connection, table, COLUMNS[name], self.rows[name])
        if self.postgres:
            for name in TABLES:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :value)"),
                    {"value": max(self.next_id[name] - 1, 1)},
                )
        rows = self.rows
        return Written(
            len(rows["respondents"]), len(rows["sessions"]), len(rows["answers"]),
            len(rows["inbound_messages"]), len(rows["outbound_messages"]),
        )  # fmt: skip


class _Conversation:
    """Turns one conversation's events into rows, remembering the last message heard."""

    def __init__(self, writer: BulkWriter, past: PastConversation, session_id: int) -> None:
        self.writer, self.past, self.session_id = writer, past, session_id
        self.last_heard: list[Any] | None = None

    def apply(self, event: Event) -> None:
        _APPLY[type(event)](self, event)  # by exact class: one lookup, not a chain of checks

    def said(self, event: Said) -> None:
        writer, past = self.writer, self.past
        outbound_id = writer._take("outbound_messages")
        displayed = past.channel in SHOWN_ON_PAGE
        answered = self.last_heard if event.reply else None
        status = OutboundStatus.DISPLAYED if displayed else OutboundStatus.DELIVERED
        sent_at = None if displayed else event.at + DELIVERY_DELAY
        if event.failed is not None:
            status, sent_at = OutboundStatus.FAILED, None
        at = writer.stamp(event.at)
        buttons = writer.json([list(button) for button in event.buttons])
        writer.rows["outbound_messages"].append(
            [outbound_id, past.respondent_id, self.session_id,
             answered[0] if answered else None, past.channel, past.address, event.body,
             buttons, writer.flag(event.multiple), past.language, status.value,
             0 if displayed else 1,
             None if displayed else writer._provider_id("out", outbound_id),
             event.failed, at, at, writer.stamp(sent_at), event.purpose]
        )  # fmt: skip
        if answered is not None:
            answered[INBOUND_REPLY] = outbound_id

    def heard(self, event: Heard) -> None:
        writer = self.writer
        inbound_id = writer._take("inbound_messages")
        provider_id = event.provider_id or writer._provider_id("in", inbound_id)
        self.last_heard = [inbound_id, self.past.channel, provider_id, self.past.respondent_id,
                           event.text, writer.stamp(event.at), None]  # fmt: skip
        writer.rows["inbound_messages"].append(self.last_heard)

    def consented(self, event: Consented) -> None:
        past, q, writer = self.past, self.past.questionnaire, self.writer
        writer.rows["consents"].append(
            [writer._take("consents"), past.respondent_id, self.session_id, q.id,
             q.purpose_code, event.scope, q.consent_version,
             hashlib.sha256(event.wording.encode()).hexdigest(), past.language, past.channel,
             event.outcome, writer.stamp(event.at)]
        )  # fmt: skip

    def answered(self, event: Answered) -> None:
        heard, prefilled, writer = self.last_heard, event.prefilled, self.writer
        from_message = not prefilled and heard is not None
        writer.rows["answers"].append(
            [writer._take("answers"), self.session_id, event.question,
             heard[INBOUND_TEXT] if from_message and not event.skipped and heard else None,
             writer.json(event.value), writer.flag(event.skipped), AnswerStatus.CURRENT.value,
             "profile" if prefilled else self.past.channel,
             heard[0] if from_message and heard else None, writer.stamp(event.at)]
        )  # fmt: skip

    def profile_set(self, event: ProfileSet) -> None:
        writer, respondent_id, q = self.writer, self.past.respondent_id, self.past.questionnaire
        key = (respondent_id, event.attribute)
        previous = writer._profile.get(key)
        at = writer.stamp(event.at)
        if previous is not None:
            previous[PROFILE_SUPERSEDED] = at
        elif event.stored_before:
            writer._supersede.append(
                {"respondent": respondent_id, "attribute": event.attribute, "at": event.at}
            )
        row = [writer._take("profile_attributes"), respondent_id, event.attribute,
               writer.json(event.value), f"questionnaire:{q.id}:{q.version}", at, None]  # fmt: skip
        writer.rows["profile_attributes"].append(row)
        writer._profile[key] = row

    def opted_out(self, event: OptedOut) -> None:
        writer, past = self.writer, self.past
        identity = writer._identities.get((past.respondent_id, past.channel))
        if identity is not None:
            identity[IDENTITY_OPTED_OUT] = writer.stamp(event.at)
        else:
            writer._opt_outs.append(
                {"respondent": past.respondent_id, "identity_channel": past.channel,
                 "at": event.at}
            )  # fmt: skip

    def session_row(self) -> list[Any]:
        past, writer = self.past, self.writer
        # As the engine does: a closed session keeps no working copy of its answers.
        closed = not past.state.is_open
        return [self.session_id, past.respondent_id, past.version_id, past.channel,
                past.language, 0, writer.stamp(past.created_at), writer.stamp(past.expires_at),
                past.state.value, writer.stamp(past.updated_at), writer.stamp(past.completed_at),
                writer.json({} if closed else past.values),
                writer.json([] if closed else past.asked),
                writer.json(past.sensitive_consents)]  # fmt: skip


_APPLY: dict[type, Any] = {
    Said: _Conversation.said, Heard: _Conversation.heard, Consented: _Conversation.consented,
    Answered: _Conversation.answered, ProfileSet: _Conversation.profile_set,
    OptedOut: _Conversation.opted_out,
}  # fmt: skip
