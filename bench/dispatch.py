"""Dispatch benchmark: a campaign of 100,000 tenants through the real tick and dispatcher.

1. Tenants with a mobile number are loaded (not timed).
2. Enqueue: the campaign tick invites every tenant exactly as in production (channel choice,
   contact-fatigue guard, engine invitation, target marked invited, all in one transaction
   per batch). Timed.
3. Send: the outbox dispatcher sends every invitation through a fake in-process provider
   with the configured rate limit (a few milliseconds of latency per call). The send
   times give the achieved rate and the busiest one-second window.

    python bench/dispatch.py [--tenants 100000] [--rate 200] [--send-seconds 90]
                             [--postgres-url URL] [--workers 2] [--parts 4]

`--workers N` runs N dispatch workers side by side (each with its own event loop and
database connections, sharing the send schedule in the database, as `doorstep worker`s
do); `--parts P` makes every message cost P SMS parts, which is what the rate counts.

Exits 1 if the achieved rate is below 95% of the limit or any one-second window exceeds it
(rates and windows in SMS parts).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import datetime
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import func, insert, select, text

from bot.storage.tables import TARGETS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.campaigns import lifecycle
from bot.campaigns import service as campaign_service
from bot.campaigns.spec import parse_spec
from bot.campaigns.tick import run_campaigns
from bot.dispatch.sending import RateLimit, SendResult
from bot.dispatch.worker import run_worker
from bot.engine.messages import OutboundMessage
from bot.service import Service, build_service
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import ChannelIdentity, Respondent, table

console = Console(highlight=False)
LATENCY = 0.003  # seconds a provider call takes
CHUNK = 5000
STALE_AFTER = datetime.timedelta(minutes=2)


@dataclass
class FakeProvider:
    """Accepts every message after a short delay and notes when each one was sent."""

    rate_limit: RateLimit
    name: str = "sms"
    parts: int = 1  # SMS parts per message
    times: list[float] = field(default_factory=list)
    to: set[str] = field(default_factory=set)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def units(self, message: OutboundMessage) -> int:
        return self.parts

    async def send(self, message: OutboundMessage) -> SendResult:
        with self.lock:  # several workers' threads share one provider
            self.times.append(time.monotonic())
            self.to.add(message.address)
            number = next(self.ids)
        await asyncio.sleep(LATENCY)
        return SendResult(f"SM{number:032x}", segments=self.parts)

    @property
    def can_find_sent(self) -> bool:
        return False

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        return None


def busiest_second(times: list[float], parts: int = 1) -> int:
    """The most sends in any one-second window, on the provider's clock to the millisecond.

    The dispatcher checks its limit a few microseconds before the provider notes the time,
    so two sends exactly a second apart can look 0.9999998 s apart here; like a provider's
    log, times are kept to whole milliseconds.
    """
    ordered = sorted(int(moment * 1000) for moment in times)
    return parts * max(
        (bisect.bisect_left(ordered, start + 1000, lo=index) - index)
        for index, start in enumerate(ordered)
    )


def load_tenants(service: Service, count: int) -> None:
    now = datetime.datetime.now(datetime.UTC)
    with Progress(*_columns(), console=console) as progress:
        task = progress.add_task("loading tenants", total=count)
        for start in range(0, count, CHUNK):
            numbers = range(start, min(count, start + CHUNK))
            with service.database.engine.begin() as connection:
                connection.execute(
                    insert(table(Respondent)),
                    [{"id": n + 1, "tenant_ref": f"T{n:06d}", "timezone": "Europe/London",
                      "created_at": now} for n in numbers],
                )  # fmt: skip
                connection.execute(
                    insert(table(ChannelIdentity)),
                    [{"respondent_id": n + 1, "channel": "sms", "address": f"+447{n:09d}",
                      "created_at": now} for n in numbers],
                )  # fmt: skip
            progress.update(task, advance=len(numbers))


def _columns() -> tuple[str | ProgressColumn, ...]:
    return ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


def enqueue(service: Service, count: int) -> float:
    now = datetime.datetime.now(datetime.UTC)
    spec = parse_spec(
        {
            "name": "Benchmark",
            "questionnaire": "post_repair",
            "starts_at": (now - datetime.timedelta(minutes=1)).isoformat(),
            "days": "mon-sun",
            "hours": "00:00-24:00",
            "send_rate_per_minute": {"sms": 0},  # the provider's limit is what is measured
            "reminders": 0,
        }
    )
    with service.database.engine.begin() as connection:
        campaign_id = campaign_service.create_campaign(connection, service.registry, spec, now)
        lifecycle.schedule(connection, campaign_id, now)
    done = threading.Event()
    started = time.perf_counter()

    def tick() -> None:
        run_campaigns(service, available={"sms"})
        done.set()

    worker = threading.Thread(target=tick)
    worker.start()
    with Progress(*_columns(), console=console) as progress:
        task = progress.add_task("enqueueing invitations", total=count)
        while not done.wait(0.5):
            progress.update(task, completed=_invited(service))
        progress.update(task, completed=_invited(service))
    worker.join()
    return time.perf_counter() - started


def _invited(service: Service) -> int:
    with service.database.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(TARGETS).where(TARGETS.c.status == "invited")
            ).scalar_one()
        )


def _worker_thread(
    service: Service,
    provider: FakeProvider,
    name: str,
    ready: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]],
) -> threading.Thread:
    """One `doorstep worker` loop in its own thread and event loop."""

    def run() -> None:
        async def work() -> None:
            stop = asyncio.Event()
            ready.append((asyncio.get_running_loop(), stop))
            senders = {"sms": provider}
            await run_worker(service.database, senders, stop, stale_after=STALE_AFTER, name=name)

        asyncio.run(work())

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def dispatch(
    service: Service, provider: FakeProvider, count: int, seconds: float, workers: int = 1
) -> None:
    """Send with the loop `doorstep worker` runs: everything, or for `seconds` if above 0."""
    ready: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
    threads = [_worker_thread(service, provider, f"bench-{n}", ready) for n in range(workers)]
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    with Progress(*_columns(), console=console) as progress:
        bar = progress.add_task("sending", total=count)
        while len(provider.times) < count and any(t.is_alive() for t in threads):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.5)
            progress.update(bar, completed=len(provider.times))
    for loop, stop in ready:
        loop.call_soon_threadsafe(stop.set)
    for thread in threads:
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200.0, help="provider limit, per second")
    parser.add_argument(
        "--send-seconds", type=float, default=90.0,
        help="measure sending for this long against the full backlog (0: send everything)",
    )  # fmt: skip
    parser.add_argument(
        "--postgres-url", help="run on PostgreSQL (in a scratch schema, dropped afterwards)"
    )
    parser.add_argument("--workers", type=int, default=1, help="dispatch workers side by side")
    parser.add_argument("--parts", type=int, default=1, help="SMS parts per message")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    schema = f"doorstep_bench_{os.getpid()}"
    url = _scratch_schema(args.postgres_url, schema) if args.postgres_url else (
        f"sqlite:///{folder}/dispatch.db"
    )  # fmt: skip
    try:
        service = build_service(Settings(environment="test", database_url=url))
        load_tenants(service, args.tenants)
        enqueue_seconds = enqueue(service, args.tenants)
        provider = FakeProvider(RateLimit(per_second=args.rate), parts=args.parts)
        dispatch(service, provider, args.tenants, args.send_seconds, args.workers)
        service.database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if args.postgres_url:
            _drop_schema(args.postgres_url, schema)
    span = max(provider.times) - min(provider.times)
    achieved = args.parts * (len(provider.times) - 1) / span if span > 0 else float("inf")
    busiest = busiest_second(provider.times, args.parts)
    sent, distinct = len(provider.times), len(provider.to)
    _report(args, url, enqueue_seconds, (sent, distinct), achieved, busiest)
    ok = achieved >= 0.95 * args.rate and busiest <= args.rate and sent == distinct
    return 0 if ok else 1


def _scratch_schema(url: str, schema: str) -> str:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    database.dispose()


def _report(
    args: argparse.Namespace, url: str, enqueue_seconds: float, counts: tuple[int, int],
    achieved: float, busiest: int,
) -> None:  # fmt: skip
    sent, distinct = counts
    table_ = Table(title=f"Dispatch benchmark ({'PostgreSQL' if 'postgres' in url else 'SQLite'})")
    for column in ("tenants", "enqueue", "enqueue rate", "sent", "limit", "achieved",
                   "of limit", "busiest second"):  # fmt: skip
        table_.add_column(column, justify="right")
    table_.add_row(
        f"{args.tenants:,}",
        f"{enqueue_seconds:.1f} s",
        f"{args.tenants / enqueue_seconds:,.0f}/s",
        f"{sent:,}",
        f"{args.rate:,.0f}/s",
        f"{achieved:,.1f}/s",
        f"{achieved / args.rate:.1%}",
        f"{busiest:,}",
    )
    console.print(table_)
    console.print(
        f"{sent:,} invitations sent, {distinct:,} tenants: "
        + ("each exactly once." if sent == distinct else "SOME TWICE.")
    )


if __name__ == "__main__":
    sys.exit(main())
