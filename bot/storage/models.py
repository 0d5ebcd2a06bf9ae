"""SQLAlchemy 2 models: everything Doorstep knows lives in these tables.

Conversation state is here and nowhere else, so any process can pick up any conversation.
Columns marked personal are removed by erasure and the retention job.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.stored_form import as_utc, aware

# SQLite has no BIGINT autoincrement; PostgreSQL gets 64-bit keys.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        return None if value is None else aware(value).astimezone(datetime.UTC)

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime.datetime: UTCDateTime,
        dict[str, Any]: JSON,
    }


def table(model: type[Base]) -> Table:
    """The Core table behind a model, for the prebuilt statements on hot paths."""
    return cast(Table, model.__table__)


class SessionState(enum.StrEnum):
    INVITED = "invited"
    AWAITING_CONSENT = "awaiting_consent"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"  # a required question could not be answered
    EXPIRED = "expired"
    DECLINED = "declined"
    OPTED_OUT = "opted_out"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES = frozenset(
    {SessionState.INVITED, SessionState.AWAITING_CONSENT, SessionState.IN_PROGRESS}
)


class Respondent(Base):
    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))  # personal
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime.datetime | None]


class ChannelIdentity(Base):
    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))  # personal: phone number, chat id
    opted_out_at: Mapped[datetime.datetime | None]
    # The provider reported the address undeliverable (an email bounce): never tried again.
    failed_at: Mapped[datetime.datetime | None]
    failed_reason: Mapped[str | None] = mapped_column(String(200))  # for officers, no address
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class ProfileAttribute(Base):
    """One value of one profile attribute; older values stay, superseded, as history."""

    __tablename__ = "profile_attributes"
    __table_args__ = (Index("ix_profile_current", "respondent_id", "name", "superseded_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(128))  # e.g. "questionnaire:tenant_profile:1.0"
    recorded_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime.datetime | None]


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    source_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # the exact YAML the sessions were asked from
    loaded_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class Session(Base):
    """One respondent working through one questionnaire version."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_open", "respondent_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    current_question: Mapped[str | None] = mapped_column(String(64))
    pending: Mapped[str | None] = mapped_column(String(64))  # e.g. "sensitive:ethnicity"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The conversation's working state: current answers and the order they were asked in.
    # The answers table is the full record; this is what the next reply needs, in one row.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    asked: Mapped[list[str]] = mapped_column(JSON, default=list)
    sensitive_consents: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime.datetime | None]
    expires_at: Mapped[datetime.datetime | None]


class AnswerStatus(enum.StrEnum):
    CURRENT = "current"
    REPLACED = "replaced"  # changed with BACK
    CLEARED = "cleared"  # no longer relevant after a change


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_session", "session_id", "question"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    question: Mapped[str] = mapped_column(String(64))
    raw_text: Mapped[str | None] = mapped_column(Text)  # personal: free text as typed
    value: Mapped[Any] = mapped_column(JSON)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=AnswerStatus.CURRENT)
    channel: Mapped[str] = mapped_column(String(16))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    answered_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))  # "questionnaire" or "sensitive:<category>"
    wording_version: Mapped[str] = mapped_column(String(32))
    text_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(12))  # granted, declined, withdrawn
    recorded_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class InboundRecord(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        # When a tenant last wrote on a channel: WhatsApp's 24-hour reply window.
        Index("ix_inbound_heard", "respondent_id", "channel", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(128))
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"))
    text: Mapped[str | None] = mapped_column(Text)  # personal
    received_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    # The one outbox row that answered it: a retried webhook gets the same answer back.
    reply_id: Mapped[int | None] = mapped_column(BigId)


class OutboundStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher; the provider may or may not have it yet
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"
    READ = "read"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"  # never sent: the campaign stopped or the tenant opted out
    DISPLAYED = "displayed"  # web chat and terminal: shown in the page, nothing to send

    @property
    def rank(self) -> int:
        """Statuses only move forward: a late 'sent' callback never undoes 'delivered'."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    OutboundStatus.PENDING: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERED: 3,
    OutboundStatus.FAILED: 3,
    OutboundStatus.CANCELLED: 3,
    OutboundStatus.DISPLAYED: 3,
    OutboundStatus.READ: 4,
}


class OutboundRecord(Base):
    """The outbox: every message is a row before anything is sent."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at"),
        # Only sent messages have a provider's id to look up (delivery callbacks, taps): a
        # new row adds no entry, one page fewer written with every reply.
        Index(
            "ix_outbox_provider", "channel", "provider_id",
            sqlite_where=text("provider_id IS NOT NULL"),
            postgresql_where=text("provider_id IS NOT NULL"),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No index on respondent or inbound message: each costs a page write per reply, and
    # only rare admin work (subject access, erasure) looks outbound rows up that way.
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))  # personal
    body: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(16))
    # Why the landlord wrote unasked ("invitation", "reminder", "reopen"); None for a reply.
    # WhatsApp sends these as approved templates (see channels/whatsapp).
    purpose: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default=OutboundStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(String(200))  # provider error code and reason
    segments: Mapped[int | None] = mapped_column(Integer)  # SMS parts billed
    due_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime.datetime | None]
    status_at: Mapped[datetime.datetime | None]  # last delivery-status change


class Erasure(Base):
    """That a tenant's personal data was erased, when and at whose request; never what."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    erased_at: Mapped[datetime.datetime]
    requested_by: Mapped[str] = mapped_column(String(100))


class SendSlot(Base):
    """The next free send time per channel, shared by every dispatcher process.

    Reserving slots here keeps the total rate under the channel's limit however many
    workers send (PostgreSQL) and across restarts.
    """

    __tablename__ = "send_slots"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[datetime.datetime]
    # The bookings of the last second, [[ISO time, units], ...]: no window may exceed the rate.
    recent: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
