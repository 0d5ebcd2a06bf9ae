"""A database that cannot be written: found at once, said in one sentence, logged sparingly.

Tests run as root, which ignores file permissions, so a read-only database is made the way
the database itself enforces it: SQLite opened with `mode=ro`, PostgreSQL with every
transaction read-only (`default_transaction_read_only`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.health import DatabaseUnavailable, check_usable, probe_writable
from tests.support.database import read_only_url, where


def test_a_writable_database_passes_the_probe(database: Database) -> None:
    assert probe_writable(database) is None
    check_usable(database)  # raises if not


def test_a_read_only_database_is_named_in_one_sentence(database_url: str) -> None:
    read_only = Database(read_only_url(database_url))
    try:
        problem = probe_writable(read_only)
        with pytest.raises(DatabaseUnavailable) as raised:
            check_usable(read_only)
    finally:
        read_only.dispose()
    assert problem is not None and where(database_url) in problem
    assert problem.endswith(".") and ". " not in problem and "\n" not in problem  # one sentence
    assert str(raised.value) == problem


def test_the_probe_leaves_nothing_behind(database: Database) -> None:
    from sqlalchemy import text

    with database.engine.connect() as connection:
        before = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert probe_writable(database) is None
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == before


def test_a_missing_folder_is_named_before_anything_is_opened(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "there"
    database = Database(f"sqlite:///{folder}/doorstep.db")
    with pytest.raises(DatabaseUnavailable, match="does not exist") as raised:
        check_usable(database)
    database.dispose()
    assert str(folder) in str(raised.value) and f"mkdir -p {folder}" in str(raised.value)
    assert not folder.exists()
