"""The SQLite reader child: answers in parts, queries sent ahead, and a caller who stops
part way or asks for something else never gets another query's rows."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import insert, select

from analysis.frames import sql, tidy
from analysis.frames.catalog import load_catalog
from analysis.frames.columnar import INFO_KEY, prefetch
from analysis.frames.sql import map_frame_parts, reading
from analysis.frames.sqlite_reader import SqliteReader
from analysis.frames.tidy import answers_frame, label_answers
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.db import Database
from bot.storage.tables import RESPONDENTS
from tests.support.demo import Demo


def _database(path: Path, count: int) -> Database:
    database = Database(f"sqlite:///{path}")
    database.create_schema()
    with database.engine.begin() as connection:
        for number in range(count):
            connection.execute(insert(RESPONDENTS).values(tenant_ref=f"T-{number:03d}"))
    return database


def _refs(frame: pd.DataFrame) -> list[str]:
    return [str(ref) for ref in frame["tenant_ref"]]


TENANTS = select(RESPONDENTS.c.tenant_ref).order_by(RESPONDENTS.c.id)
IDS = select(RESPONDENTS.c.id).order_by(RESPONDENTS.c.id.desc())


def test_the_answers_read_in_parts_equal_the_answers_read_whole(
    database: Database, registry: QuestionnaireRegistry, demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Parts of 20 rows, labelled one by one and joined, give the frame read whole (the
    categories united and sorted as one frame's are)."""
    demo(40, rounds=3)
    monkeypatch.setattr(sql, "COLUMNAR", False)
    with reading(database) as connection:
        catalog = load_catalog(connection, registry=registry)
        expected = answers_frame(connection, catalog=catalog)
    monkeypatch.setattr(sql, "COLUMNAR", True)
    monkeypatch.setattr(sql, "PART_ROWS", 20)
    labelled: list[int] = []

    def counting(raw: pd.DataFrame, catalog: Any) -> pd.DataFrame:
        labelled.append(len(raw))
        return label_answers(raw, catalog)

    monkeypatch.setattr(tidy, "label_answers", counting)
    with reading(database) as connection:
        actual = answers_frame(connection, catalog=catalog)
    assert len(expected) > 150
    # SQLite reads in parts; PostgreSQL reads in this process, whole.
    parts = -(-len(expected) // 20) if database.engine.dialect.name == "sqlite" else 1
    assert len(labelled) == parts and sum(labelled) == len(expected)
    pd.testing.assert_frame_equal(actual, expected)


def test_parts_come_in_query_order_and_each_part_is_worked_on(tmp_path: Path) -> None:
    database = _database(tmp_path / "parts.db", 130)
    with reading(database) as connection:
        parts = map_frame_parts(connection, TENANTS, _refs, rows=50, texts=("tenant_ref",))
    assert [len(part) for part in parts] == [50, 50, 30]
    assert list(itertools.chain(*parts)) == [f"T-{n:03d}" for n in range(130)]
    database.dispose()


def test_an_empty_result_is_one_empty_part(tmp_path: Path) -> None:
    database = _database(tmp_path / "empty.db", 0)
    with reading(database) as connection:
        assert map_frame_parts(connection, TENANTS, len, rows=10) == [0]
    database.dispose()


def test_a_caller_who_stops_part_way_leaves_nothing_behind(tmp_path: Path) -> None:
    database = _database(tmp_path / "stop.db", 120)
    with reading(database) as connection:
        reader = connection.info[INFO_KEY]
        assert isinstance(reader, SqliteReader)
        compiled = str(TENANTS.compile(compile_kwargs={"literal_binds": True}))
        parts = reader.read_parts(compiled, 10)
        next(parts)
        parts.close()  # the other eleven parts are still on their way
        frame = sql.read_frame(connection, IDS)
    assert frame["id"].tolist() == list(range(120, 0, -1))
    assert reader.healthy
    database.dispose()


def test_work_that_fails_on_a_part_fails_and_the_reader_stays_usable(tmp_path: Path) -> None:
    database = _database(tmp_path / "fails.db", 100)

    def refuse(frame: pd.DataFrame) -> Any:
        raise ValueError("this part is not welcome")

    with reading(database) as connection:
        with pytest.raises(ValueError, match="not welcome"):
            map_frame_parts(connection, TENANTS, refuse, rows=10)
        assert len(sql.read_frame(connection, IDS)) == 100
    database.dispose()


def test_queries_sent_ahead_are_each_answered_with_their_own_rows(tmp_path: Path) -> None:
    """Sent ahead: read in order, read out of order (the earlier answer is dropped), a
    failing query, and one never read before the reading ends."""
    database = _database(tmp_path / "ahead.db", 5)
    broken = select(RESPONDENTS.c.id).where(RESPONDENTS.c.id == "x' OR (")
    with reading(database) as connection:
        prefetch(connection, [TENANTS, IDS])
        assert _refs(sql.read_frame(connection, TENANTS, texts=("tenant_ref",)))[0] == "T-000"
        assert sql.read_frame(connection, IDS)["id"].tolist() == [5, 4, 3, 2, 1]
        prefetch(connection, [TENANTS, broken, IDS])
        assert sql.read_frame(connection, IDS)["id"].tolist() == [5, 4, 3, 2, 1]
        prefetch(connection, [TENANTS])
    with reading(database) as connection:
        assert sql.read_frame(connection, IDS)["id"].tolist() == [5, 4, 3, 2, 1]
        assert connection.info[INFO_KEY].healthy
    database.dispose()


def test_a_reader_whose_child_died_is_replaced_and_reads_fall_back(tmp_path: Path) -> None:
    database = _database(tmp_path / "died.db", 3)
    with reading(database) as connection:
        reader = connection.info[INFO_KEY]
        reader.process.kill()
        reader.process.wait()
        # The row-by-row reader answers instead.
        assert sql.read_frame(connection, IDS)["id"].tolist() == [3, 2, 1]
        assert map_frame_parts(connection, IDS, len, rows=1) == [3]
    assert not reader.healthy
    with reading(database) as connection:
        assert connection.info[INFO_KEY] is not reader
        assert sql.read_frame(connection, IDS)["id"].tolist() == [3, 2, 1]
    database.dispose()
