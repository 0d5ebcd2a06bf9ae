"""Demo-data benchmark: `doorstep demo-data` beside a raw-insert floor measured in the same run.

1. The demo population (`analysis.demo.data.create_demo_data`, which writes through the
   engine's bulk writer) is made in a fresh database. Timed: this is the command's time.
2. Floor: the very rows it stored are copied, table by table, into a second fresh database
   with the bare driver (`sqlite3` `executemany`, or psycopg `COPY` on PostgreSQL), one
   transaction per table. Only the inserts are timed, not reading the rows back.

The ratio floor / command says how close the command comes to the cost of just storing
its rows; the rest is drawing the population and playing the conversations.

3. Pace (SQLite): the population's answer rows read into pandas with the plain driver, the
   read issue 17 timed at 3.5 s where it set goal 6 (60 s for 100,000 tenants, 5 rounds):
   the goal is judged in seconds and at this machine's pace (`bench/pace.py`).

    python bench/demo_data.py [--tenants 20000] [--rounds 10] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.demo.data import create_demo_data
from bench.pace import ISSUE_READ_SECONDS, paced, timed_read
from bot.engine.bulk import TABLES
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database

CHUNK = 50_000
GOAL_SECONDS, GOAL_TENANTS, GOAL_ROUNDS = 60.0, 100_000, 5  # issue 17, goal 6


def fresh_postgres(url: str, schema: str) -> str:
    """A URL whose search path is a brand-new schema (dropped first if it exists)."""
    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


def copy_floor(source: Database, target: Database) -> tuple[float, int]:
    """Seconds spent inserting every stored row again with the bare driver, and rows."""
    spent, rows = 0.0, 0
    postgres = source.engine.dialect.name == "postgresql"
    with source.engine.connect() as reading:
        for name, table in TABLES.items():
            columns = [column.name for column in table.columns]
            # JSON read back as its text on PostgreSQL, so the copy writes what is stored.
            picked = ", ".join(
                f'"{column.name}"::text' if postgres and isinstance(column.type, JSON)
                else f'"{column.name}"' for column in table.columns
            )  # fmt: skip
            result = reading.exec_driver_sql(f'SELECT {picked} FROM "{name}"')
            quoted = ", ".join(f'"{column}"' for column in columns)
            raw = target.engine.raw_connection()
            driver: Any = raw.driver_connection
            started = time.perf_counter()
            if target.engine.dialect.name == "postgresql":
                with (
                    driver.cursor() as cursor,
                    cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy,
                ):
                    spent += time.perf_counter() - started
                    while chunk := result.fetchmany(CHUNK):
                        started = time.perf_counter()
                        for row in chunk:
                            copy.write_row(tuple(row))
                        spent += time.perf_counter() - started
                        rows += len(chunk)
                    started = time.perf_counter()
            else:
                driver.execute("BEGIN IMMEDIATE")
                marks = ", ".join("?" * len(columns))
                statement = f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})'
                spent += time.perf_counter() - started
                while chunk := result.fetchmany(CHUNK):
                    started = time.perf_counter()
                    driver.executemany(statement, [tuple(row) for row in chunk])
                    spent += time.perf_counter() - started
                    rows += len(chunk)
                started = time.perf_counter()
            if target.engine.dialect.name == "postgresql":
                driver.commit()
            else:
                driver.execute("COMMIT")
            spent += time.perf_counter() - started
            raw.close()
    return spent, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgres-url", help="run on PostgreSQL instead of SQLite")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="doorstep-demo-bench-")
    if args.postgres_url:
        urls = [fresh_postgres(args.postgres_url, f"bench_demo_{n}") for n in ("made", "floor")]
    else:
        urls = [f"sqlite:///{folder.name}/{n}.db" for n in ("made", "floor")]
    made, floor = Database(urls[0]), Database(urls[1])
    made.create_schema()
    floor.create_schema()
    settings = Settings(environment="test", database_url=urls[0])
    registry = QuestionnaireRegistry.from_directory(settings.questionnaires_dir, "Bench Homes")
    started = time.perf_counter()
    summary = create_demo_data(made, registry, tenants=args.tenants, rounds=args.rounds)
    command = time.perf_counter() - started
    with made.engine.begin() as connection:  # the floor database needs the same versions
        versions = connection.exec_driver_sql("SELECT * FROM questionnaire_versions").all()
    with floor.engine.begin() as connection:
        for row in versions:
            connection.execute(
                text("INSERT INTO questionnaire_versions VALUES ("
                     + ", ".join(f":v{i}" for i in range(len(row))) + ")"),
                {f"v{i}": value for i, value in enumerate(row)},
            )  # fmt: skip
    raw, rows = copy_floor(made, floor)
    pace = None if args.postgres_url else timed_read(Path(folder.name) / "made.db")
    database = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"demo data on {database}: {args.tenants:,} tenants, {args.rounds} rounds")
    messages = summary.inbound + summary.outbound
    print(f"  rows stored        {rows:>12,}  ({summary.sessions:,} sessions, "
          f"{summary.answers:,} answers, {messages:,} messages)")  # fmt: skip
    print(f"  demo-data          {command:>10.1f} s  ({rows / command:,.0f} rows/s)")
    print(f"  raw-insert floor   {raw:>10.1f} s  ({rows / raw:,.0f} rows/s, bare driver)")
    print(f"  ratio floor/command {raw / command:>9.2f}")
    per_goal = command * GOAL_TENANTS / args.tenants
    print(f"  per 100,000 tenants {per_goal:>9.0f} s (linear estimate)")
    if pace is not None:
        read, answers = pace
        budget = paced(GOAL_SECONDS, read, answers)
        print(f"  answer-row read    {read:>10.1f} s  ({answers:,} rows; {ISSUE_READ_SECONDS} s "
              "where issue 17 set its goals)")  # fmt: skip
        if args.rounds == GOAL_ROUNDS:
            shown = "" if args.tenants == GOAL_TENANTS else " (the linear estimate)"
            seconds = "within" if per_goal <= GOAL_SECONDS else "OVER"
            pace_word = "within" if per_goal <= budget else "OVER"
            print(f"  goal 6: {per_goal:.1f} s{shown} for 100,000 tenants, 5 rounds: {seconds} "
                  f"the {GOAL_SECONDS:.0f} s in seconds; at this machine's pace the goal is "
                  f"{budget:.1f} s here: {pace_word}")  # fmt: skip
    made.dispose()
    floor.dispose()
    folder.cleanup()
    if args.postgres_url:
        admin = Database(args.postgres_url)
        with admin.engine.begin() as connection:
            for schema in ("made", "floor"):
                connection.execute(text(f"DROP SCHEMA bench_demo_{schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
