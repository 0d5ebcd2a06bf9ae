"""Columnar reads (ADBC, Arrow) give exactly the frames the row-by-row reader gives."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import insert, select

from analysis.frames import sql
from analysis.frames.catalog import load_catalog
from analysis.frames.columnar import INFO_KEY, read_columnar
from analysis.frames.sql import reading
from analysis.frames.tidy import answers_frame, sessions_frame
from analysis.segments.features import tenant_features
from analysis.segments.store import membership_history
from analysis.themes.comments import read_comments
from analysis.tsm.sample import tenant_attributes
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.db import Database
from bot.storage.tables import RESPONDENTS
from tests.support.demo import Demo


def frames(database: Database, registry: QuestionnaireRegistry) -> dict[str, pd.DataFrame]:
    with reading(database) as connection:
        catalog = load_catalog(connection, registry=registry)
        return {
            "answers": answers_frame(connection, catalog=catalog),
            "sessions": sessions_frame(
                connection, questionnaire_id="post_repair", registry=registry
            ),
            "everything wide": sessions_frame(connection, registry=registry),
            "features": tenant_features(connection, catalog=catalog),
            "tenants": tenant_attributes(connection, catalog),
            "comments": read_comments(connection, catalog),
            "memberships": membership_history(connection),
        }


def test_columnar_frames_equal_the_row_by_row_frames(
    database: Database, registry: QuestionnaireRegistry, demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    demo(80, rounds=4)
    monkeypatch.setattr(sql, "COLUMNAR", False)
    expected = frames(database, registry)
    monkeypatch.setattr(sql, "COLUMNAR", True)
    columnar_reads: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> pd.DataFrame | None:
        frame = read_columnar(*args, **kwargs)
        columnar_reads.append(frame is not None)
        return frame

    monkeypatch.setattr(sql, "read_columnar", spy)
    actual = frames(database, registry)
    assert sum(columnar_reads) >= 10  # the big reads went through ADBC
    assert len(expected["answers"]) > 0 and len(expected["features"]) > 0
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(actual[name], frame, obj=name)
        assert actual[name].attrs == frame.attrs, name


def test_reading_opens_a_columnar_connection_on_both_databases(database: Database) -> None:
    database.create_schema()
    with reading(database) as connection:
        assert connection.info.get(INFO_KEY) is not None


def _tenants(database: Database) -> list[str]:
    with reading(database) as connection:
        assert connection.info.get(INFO_KEY) is not None
        frame = sql.read_frame(connection, select(RESPONDENTS.c.tenant_ref), texts=("tenant_ref",))
    return sorted(frame["tenant_ref"]) if len(frame) else []


def _database(path: Path, refs: list[str]) -> Database:
    database = Database(f"sqlite:///{path}")
    database.create_schema()
    with database.engine.begin() as connection:
        for ref in refs:
            connection.execute(insert(RESPONDENTS).values(tenant_ref=ref))
    return database


def test_a_kept_sqlite_reader_sees_new_rows_and_a_restored_file(tmp_path: Path) -> None:
    """The child process reading SQLite is kept between reads: each read still starts a
    new snapshot, so it sees rows written since and a database restored over the file
    through SQLite's backup API (as `doorstep db restore` does)."""
    path = tmp_path / "kept.db"
    database = _database(path, ["T-1"])
    assert _tenants(database) == ["T-1"]
    with database.engine.begin() as connection:
        connection.execute(insert(RESPONDENTS).values(tenant_ref="T-2"))
    assert _tenants(database) == ["T-1", "T-2"]
    _database(tmp_path / "backup.db", ["R-9"]).dispose()
    with sqlite3.connect(tmp_path / "backup.db") as source, sqlite3.connect(path) as live:
        source.backup(live)
    assert _tenants(database) == ["R-9"]
    database.dispose()
