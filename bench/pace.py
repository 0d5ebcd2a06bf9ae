"""This machine's pace, for judging a budget in seconds set on another machine.

Issue 17 set its budgets in seconds on one machine, where reading the demo population's
1.16 million answer rows from SQLite into pandas with the plain driver took 3.5 s. Machines
of the same kind have since run that read in 3.5–8.4 s, and everything else with it. So a
benchmark also measures this read in the same run, on its own database, and scales the
budget by it: a budget of 10 s is 10 / 3.5 = 2.86 times the read, wherever it runs.

Used by `bench/analysis.py` (its raw floor) and `bench/demo_data.py`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from analysis.frames.sql import epoch, json_text
from bot.storage.tables import ANSWERS, SESSIONS

ISSUE_READ_SECONDS = 3.5  # the read on the machine where issue 17 set its budgets
ISSUE_READ_ROWS = 1_161_670  # of the demo population of 100,000 tenants, 5 rounds


def _answer_rows_sql() -> str:
    """The answer frames' own query, as the plain driver runs it."""
    query = select(
        ANSWERS.c.id, ANSWERS.c.session_id, SESSIONS.c.respondent_id,
        SESSIONS.c.questionnaire_version_id, ANSWERS.c.question, json_text(ANSWERS.c.value),
        ANSWERS.c.skipped, ANSWERS.c.channel, epoch(ANSWERS.c.answered_at, "sqlite"),
    ).join(SESSIONS, SESSIONS.c.id == ANSWERS.c.session_id).where(
        ANSWERS.c.status == "current")  # fmt: skip
    return str(query.compile(dialect=sqlite_dialect.dialect(),
                             compile_kwargs={"literal_binds": True}))  # fmt: skip


def read_answer_rows(path: Path) -> pd.DataFrame:
    """The answer rows read with the plain driver into pandas, nothing converted."""
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute(_answer_rows_sql())
        names = [column[0] for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=names)
    finally:
        connection.close()


def timed_read(path: Path) -> tuple[float, int]:
    """Seconds the read took here, and the rows it read."""
    started = time.perf_counter()
    rows = len(read_answer_rows(path))
    return time.perf_counter() - started, rows


def paced(budget_seconds: float, read_seconds: float, rows: int = ISSUE_READ_ROWS) -> float:
    """The budget in this machine's seconds; a read of fewer `rows` than the issue's is
    scaled up to its size (an estimate: a smaller population's read is less steady)."""
    return budget_seconds * (read_seconds * ISSUE_READ_ROWS / rows) / ISSUE_READ_SECONDS
