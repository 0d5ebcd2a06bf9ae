"""The outbox's provider-id index holds only messages a provider has taken, and the
lookups by provider id (delivery callbacks, Telegram taps) still go through it."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.storage.db import Database
from bot.storage.tables import OUTBOUND

LOOKUP = select(OUTBOUND.c.id).where(
    OUTBOUND.c.channel == "sms", OUTBOUND.c.provider_id == "SM0123456789abcdef"
)


def _definition(database: Database) -> str:
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            found = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_outbox_provider'")
            )
        else:
            found = connection.execute(
                text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_outbox_provider'"
                    " AND schemaname = current_schema()"
                )
            )
        return str(found.scalar_one())


def test_only_sent_messages_are_indexed_by_provider_id(database: Database) -> None:
    definition = _definition(database).replace("(", "").replace(")", "")
    assert "WHERE provider_id IS NOT NULL" in definition


def test_a_lookup_by_provider_id_uses_the_index(database: Database) -> None:
    with database.engine.connect() as connection:
        compiled = LOOKUP.compile(connection, compile_kwargs={"literal_binds": True})
        if database.engine.dialect.name == "sqlite":
            plan = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            details = " ".join(str(row[-1]) for row in plan)
        else:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            details = " ".join(connection.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_outbox_provider" in details
