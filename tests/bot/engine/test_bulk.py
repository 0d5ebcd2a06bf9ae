"""The bulk writer stores a conversation exactly as the engine does, on both databases.

One conversation (a tenant on Telegram answering the communication-preferences survey, at
set times) is played through the real `Engine`; its rows are read back as the database
holds them; the tables are emptied; the same conversation goes through `BulkWriter`; and
the rows must be the same, table by table, column by column. The one difference allowed
is the dispatcher's part of the outbox (status, attempts, provider id, sent time): the
engine leaves a message pending for the dispatcher, the bulk writer records history
that is already delivered, and that is checked on its own.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text

from bot.engine.bulk import (
    COLUMNS,
    DELIVERY_DELAY,
    Answered,
    BulkWriter,
    Consented,
    Event,
    Heard,
    PastConversation,
    ProfileSet,
    Said,
)
from bot.engine.bulk_blocks import adopt, detach
from bot.engine.engine import Engine
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import SessionState
from tests.support.services import Clock, make_registry

TABLES = tuple(COLUMNS)
DISPATCHED = ("status", "attempts", "provider_id", "sent_at")
ADDRESS = "7301"
# What the tenant says, and what the engine should make of it (answers, profile values).
SCRIPT: list[tuple[str, list[tuple[str, Any]], list[tuple[str, Any]]]] = [
    ("yes", [], []),
    ("1", [("preferred_channel", 1)], [("preferred_channel", "sms")]),
    ("1 and 3", [("preferred_times", [1, 3])], [("preferred_times", ["morning", "evening"])]),
    ("1", [("language", 1)], [("language", "en")]),
    ("no", [("has_communication_need", False)], []),
    ("1", [("contact_frequency", 1)], [("contact_frequency", "as_needed")]),
]
PAUSE = datetime.timedelta(seconds=47.5)  # stored times with and without a fraction


def stored(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every column of the engine's tables, as the driver returns what is stored."""
    snapshot = {}
    for table in TABLES:
        result = connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')
        snapshot[table] = [dict(row._mapping) for row in result]
    return snapshot


def play_through_engine(
    engine: Engine, clock: Clock
) -> tuple[list[Event], datetime.datetime, datetime.datetime]:
    """The conversation through the engine; returns it as the bulk writer's events."""
    started = clock()
    events: list[Event] = []

    def said(replies: list[OutboundMessage]) -> None:
        for reply in replies:
            buttons = tuple(tuple(button.stored()) for button in reply.buttons)
            events.append(
                Said(
                    clock(),
                    reply.body,
                    buttons=buttons,
                    multiple=reply.multiple,
                    purpose=reply.purpose,
                )
            )

    said(engine.start(channel="telegram", address=ADDRESS,
                      questionnaire_id="communication_preferences"))  # fmt: skip
    invitation = events[0]
    assert isinstance(invitation, Said)
    for number, (reply, answers, profile) in enumerate(SCRIPT):
        clock.now += PAUSE
        provider_id = f"update-{number}"
        inbound = InboundMessage("telegram", ADDRESS, provider_id, reply, clock())
        replies = engine.handle(inbound)
        events.append(Heard(clock(), reply, provider_id))
        if reply == "yes":
            events.append(Consented(clock(), "questionnaire", "granted", invitation.body))
        events += [Answered(clock(), name, value) for name, value in answers]
        events += [ProfileSet(clock(), name, value) for name, value in profile]
        said(replies)
    return events, started, clock()


def write_in_bulk(
    database: Database,
    registry: QuestionnaireRegistry,
    events: list[Event],
    started: datetime.datetime,
    ended: datetime.datetime,
    detached: bool,
) -> None:
    questionnaire = registry.latest("communication_preferences")
    with database.engine.begin() as connection:
        connected = BulkWriter(connection)
        writer = BulkWriter(None, dialect=connection.dialect.name) if detached else connected
        respondent_id = writer.add_respondent(tenant_ref=None, language=None, created_at=started)
        writer.add_identity(
            respondent_id=respondent_id, channel="telegram", address=ADDRESS, created_at=started
        )
        writer.add_conversation(
            PastConversation(
                respondent_id, questionnaire, registry.version_id(connection, questionnaire),
                "telegram", ADDRESS, "en", created_at=started,
                expires_at=started + datetime.timedelta(days=questionnaire.expiry_days),
                state=SessionState.COMPLETED, updated_at=ended, completed_at=ended,
                events=events,
            )
        )  # fmt: skip
        if detached:  # played apart with block-local ids, as demo-data's worker processes do
            adopt(connected, detach(writer))
        connected.write()


@pytest.mark.parametrize("detached", [False, True], ids=["connected", "detached"])
def test_the_bulk_writer_stores_what_the_engine_stores(
    database: Database, settings: Settings, clock: Clock, detached: bool
) -> None:
    registry = make_registry(settings)
    events, started, ended = play_through_engine(Engine(database, registry, settings, clock), clock)
    with database.engine.begin() as connection:
        by_engine = stored(connection)
        for table in reversed(TABLES):
            connection.execute(text(f'DELETE FROM "{table}"'))
    write_in_bulk(database, registry, events, started, ended, detached)
    with database.engine.connect() as connection:
        by_bulk = stored(connection)

    assert len(by_engine["answers"]) == 5 and len(by_engine["profile_attributes"]) == 4
    assert len(by_engine["outbound_messages"]) == 7
    for table in TABLES:
        engine_rows, bulk_rows = by_engine[table], by_bulk[table]
        if table == "outbound_messages":
            engine_rows = [{k: v for k, v in row.items() if k not in DISPATCHED}
                           for row in engine_rows]  # fmt: skip
            bulk_rows = [{k: v for k, v in row.items() if k not in DISPATCHED}
                         for row in by_bulk[table]]  # fmt: skip
        assert bulk_rows == engine_rows, table

    for engine_row, bulk_row in zip(
        by_engine["outbound_messages"], by_bulk["outbound_messages"], strict=True
    ):
        assert engine_row["status"] == "pending" and bulk_row["status"] == "delivered"
        assert bulk_row["attempts"] == 1 and bulk_row["provider_id"]
        sent, due = bulk_row["sent_at"], bulk_row["due_at"]
        if isinstance(sent, str):  # SQLite keeps text
            sent, due = datetime.datetime.fromisoformat(sent), datetime.datetime.fromisoformat(due)
        assert sent - due == DELIVERY_DELAY
