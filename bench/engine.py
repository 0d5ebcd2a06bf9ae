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
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.messages import InboundMessage
from bot.service import build_service
from bot.settings import Settings
from bot.storage.db import Database

REPLIES = ["REPAIR", "yes", "2", "no", "yes", "1", "The operative was quick and tidy."]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_engine(url: str, respondents: int) -> tuple[float, list[float]]:
    service = build_service(Settings(environment="test", database_url=url))
    ids = itertools.count()
    latencies: list[float] = []
    started = time.perf_counter()
    for respondent in range(respondents):
        address = f"+4477009{respondent:05d}"
        for reply in REPLIES:
            inbound = InboundMessage(
                "sms", address, f"SM{next(ids)}", reply, datetime.datetime.now(datetime.UTC)
            )
            before = time.perf_counter()
            messages = service.engine.handle(inbound)
            latencies.append(time.perf_counter() - before)
            assert messages, f"no reply to {reply!r}"
    elapsed = time.perf_counter() - started
    service.database.dispose()
    return len(latencies) / elapsed, latencies


def run_floor(url: str, replies: int) -> tuple[float, float]:
    """One INSERT and one SELECT per reply, each reply its own committed transaction.

    Returns (through SQLAlchemy Core on the same engine, through the bare DBAPI cursor):
    the first is the floor the engine is judged against, since the engine uses the same
    stack; the second shows what the SQLAlchemy layer itself costs.
    """
    database = Database(url)
    metadata = MetaData()
    table = Table(
        "bench_floor",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("body", String(200)),
    )
    metadata.drop_all(database.engine)
    metadata.create_all(database.engine)
    insert_row = insert(table)
    select_row = select(table).where(table.c.id == bindparam("key"))
    with database.engine.connect() as connection:
        started = time.perf_counter()
        for number in range(replies):
            with connection.begin():
                connection.execute(insert_row, {"id": number, "body": "reply text"})
                connection.execute(select_row, {"key": number}).all()
        core = replies / (time.perf_counter() - started)
    metadata.drop_all(database.engine)
    metadata.create_all(database.engine)
    sqlite = database.engine.dialect.name == "sqlite"
    marker = "?" if sqlite else "%s"
    raw = database.engine.raw_connection()
    cursor = raw.cursor()
    started = time.perf_counter()
    for number in range(replies):
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(
            f"INSERT INTO bench_floor (id, body) VALUES ({marker}, {marker})",
            (number, "reply text"),
        )
        cursor.execute(f"SELECT id, body FROM bench_floor WHERE id = {marker}", (number,))
        cursor.fetchall()
        raw.commit() if not sqlite else cursor.execute("COMMIT")
    bare = replies / (time.perf_counter() - started)
    cursor.close()
    raw.close()
    metadata.drop_all(database.engine)
    database.dispose()
    return core, bare


def fresh_postgres(url: str) -> str:
    schema = "doorstep_bench"
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    database.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def report(name: str, url: str, respondents: int) -> float:
    rate, latencies = run_engine(url, respondents)
    floor, bare = run_floor(url, len(latencies))
    ms = [sample * 1000 for sample in latencies]
    print(
        f"{name:<10} engine {rate:6.0f} replies/s  p50 {percentile(ms, 0.5):5.2f} ms  "
        f"p95 {percentile(ms, 0.95):5.2f} ms  p99 {percentile(ms, 0.99):5.2f} ms | "
        f"floor {floor:6.0f} replies/s (bare DBAPI {bare:6.0f}) | "
        f"ratio {rate / floor:4.2f} (vs bare {rate / bare:4.2f})"
    )
    return rate / floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--sqlite-only", action="store_true")
    options = parser.parse_args()
    print(f"{options.respondents} respondents x {len(REPLIES)} replies each (post-repair survey)")
    with tempfile.TemporaryDirectory() as folder:
        report("sqlite", f"sqlite:///{folder}/bench.db", options.respondents)
    if not options.sqlite_only:
        report("postgresql", fresh_postgres(options.postgres_url), options.respondents)


if __name__ == "__main__":
    main()
