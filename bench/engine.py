"""Engine benchmark: simulated respondents answer the post-repair survey in-process.

Prints replies/second and per-reply latency percentiles on SQLite and PostgreSQL, beside a
floor measured in the same run: the raw cost of one insert plus one select per reply through
the same DBAPI driver and connection settings, each in its own committed transaction.

    python bench/engine.py [--respondents 300] [--postgres-url postgresql://...] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    insert,
    select,
    text,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.messages import InboundMessage
from bot.service import Service, build_service
from bot.settings import Settings
from bot.storage.db import Database

REPLIES = ["REPAIR", "yes", "2", "no", "yes", "1", "The operative was quick and tidy."]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_engine(service: Service, respondents: range, ids: Iterator[int]) -> list[float]:
    latencies: list[float] = []
    for respondent in respondents:
        address = f"+4477009{respondent:05d}"
        for reply in REPLIES:
            inbound = InboundMessage(
                "sms", address, f"SM{next(ids)}", reply, datetime.datetime.now(datetime.UTC)
            )
            before = time.perf_counter()
            messages = service.engine.handle(inbound)
            latencies.append(time.perf_counter() - before)
            assert messages, f"no reply to {reply!r}"
    return latencies


class Floor:
    """One INSERT and one SELECT per reply, each reply its own committed transaction.

    Measured two ways on the same engine (same driver, connection settings and pragmas):
    through SQLAlchemy Core with prebuilt statements, as the engine runs its own SQL (the
    floor the engine is judged against), and through the bare DBAPI cursor (what the
    SQLAlchemy layer itself costs).
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.metadata = MetaData()
        # Shaped like the inbound message every reply must record: a provider id with a
        # unique key (retried webhooks), the text and the time it arrived.
        self.table = Table(
            "bench_floor",
            self.metadata,
            Column("id", Integer, primary_key=True),
            Column("channel", String(16), nullable=False),
            Column("provider_id", String(128), nullable=False),
            Column("body", Text),
            Column("received_at", DateTime(timezone=True), nullable=False),
            UniqueConstraint("channel", "provider_id"),
        )
        self.metadata.drop_all(database.engine)
        self.metadata.create_all(database.engine)
        self.insert_row = insert(self.table)
        self.select_row = select(self.table).where(self.table.c.id == bindparam("key"))
        self.next_id = itertools.count()
        self.sqlite = database.engine.dialect.name == "sqlite"

    def core(self, replies: int) -> float:
        with self.database.engine.connect() as connection:
            started = time.perf_counter()
            for _ in range(replies):
                number = next(self.next_id)
                with connection.begin():
                    connection.execute(self.insert_row, self.row(number))
                    connection.execute(self.select_row, {"key": number}).all()
            return time.perf_counter() - started

    def bare(self, replies: int) -> float:
        marker = "?" if self.sqlite else "%s"
        raw = self.database.engine.raw_connection()
        cursor = raw.cursor()
        started = time.perf_counter()
        for _ in range(replies):
            number = next(self.next_id)
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            row = self.row(number)
            cursor.execute(
                "INSERT INTO bench_floor (id, channel, provider_id, body, received_at) "
                f"VALUES ({marker}, {marker}, {marker}, {marker}, {marker})",
                (number, row["channel"], row["provider_id"], row["body"],
                 row["received_at"].isoformat(sep=" ")),
            )  # fmt: skip
            cursor.execute(f"SELECT * FROM bench_floor WHERE id = {marker}", (number,))
            cursor.fetchall()
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
        elapsed = time.perf_counter() - started
        cursor.close()
        raw.close()
        return elapsed

    @staticmethod
    def row(number: int) -> dict[str, object]:
        return {
            "id": number,
            "channel": "sms",
            "provider_id": f"SMfloor{number:012d}",
            "body": "reply text",
            "received_at": datetime.datetime.now(datetime.UTC),
        }

    def drop(self) -> None:
        self.metadata.drop_all(self.database.engine)


def fresh_postgres(url: str) -> str:
    schema = "doorstep_bench"
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    database.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def report(name: str, url: str, respondents: int, rounds: int) -> float:
    """Engine and floor in alternating rounds, so both see the same disk and CPU weather."""
    service = build_service(Settings(environment="test", database_url=url))
    floor = Floor(service.database)
    ids = itertools.count()
    per_round = max(1, respondents // rounds)
    latencies: list[float] = []
    engine_time = core_time = bare_time = 0.0
    for number in range(rounds):
        batch = run_engine(service, range(number * per_round, (number + 1) * per_round), ids)
        latencies += batch
        engine_time += sum(batch)
        core_time += floor.core(len(batch))
        bare_time += floor.bare(len(batch))
    floor.drop()
    service.database.dispose()
    replies = len(latencies)
    rate, core, bare = replies / engine_time, replies / core_time, replies / bare_time
    ms = [sample * 1000 for sample in latencies]
    print(
        f"{name:<10} engine {rate:6.0f} replies/s  p50 {percentile(ms, 0.5):5.2f} ms  "
        f"p95 {percentile(ms, 0.95):5.2f} ms  p99 {percentile(ms, 0.99):5.2f} ms | "
        f"floor {core:6.0f} replies/s (bare DBAPI {bare:6.0f}) | "
        f"ratio {rate / core:4.2f} (vs bare {rate / bare:4.2f})"
    )
    return rate / core


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--sqlite-only", action="store_true")
    options = parser.parse_args()
    print(f"{options.respondents} respondents x {len(REPLIES)} replies each (post-repair survey)")
    with tempfile.TemporaryDirectory() as folder:
        report("sqlite", f"sqlite:///{folder}/bench.db", options.respondents, options.rounds)
    if not options.sqlite_only:
        url = fresh_postgres(options.postgres_url)
        report("postgresql", url, options.respondents, options.rounds)


if __name__ == "__main__":
    main()
