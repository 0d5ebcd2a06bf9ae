"""The registry remembers a stored version's id only once the row is committed."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.tables import VERSIONS
from tests.support.services import make_registry


def test_a_version_seen_only_in_a_rolled_back_transaction_is_not_remembered(
    database: Database, settings: Settings
) -> None:
    """Two messages of one batch: the first stores the version, the second sees it there;
    the batch rolls back, and the next message must store it again, not point at nothing."""
    registry = make_registry(settings)
    questionnaire = registry.latest("post_repair")
    with database.engine.connect() as connection:
        transaction = connection.begin()
        first = registry.version_id(connection, questionnaire)
        assert registry.version_id(connection, questionnaire) == first  # seen, uncommitted
        transaction.rollback()
    with database.engine.begin() as connection:
        stored = registry.version_id(connection, questionnaire)
    with database.engine.connect() as connection:
        ids = connection.scalars(select(VERSIONS.c.id)).all()
        assert stored in ids
        assert registry.version_id(connection, questionnaire) == stored  # now remembered
        count = connection.scalar(select(func.count()).select_from(VERSIONS))
    assert count == len(ids)
