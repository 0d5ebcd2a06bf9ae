"""`doorstep worker`: the dispatch loop with no web server, to add sending capacity.

The loop itself is `bot.dispatch.worker.run_worker`, the same one `doorstep serve` runs in a
thread; this command checks the set-up, runs it in the foreground and stops it on SIGTERM
or Ctrl+C after the round in hand.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import signal
from collections.abc import Mapping
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.dispatch.sending import Sender
from bot.dispatch.worker import run_worker
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.tables import OUTBOUND

logger = logging.getLogger(__name__)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _schema_ready(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            connection.execute(select(OUTBOUND.c.id).limit(1))
    except SQLAlchemyError:
        return False
    return True


async def _until_signalled(
    database: Database, senders: Mapping[str, Sender], stale: datetime.timedelta, name: str | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(database, senders, stop, stale_after=stale, name=name)


def worker_command(
    name: Annotated[
        str | None, typer.Option(help="A name for this worker in the outbox (default host:pid).")
    ] = None,
) -> None:
    """Send queued messages (no web server): add workers on PostgreSQL for more capacity."""
    from channels.registry import build_channels  # provider libraries load only when it runs

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    database = Database(settings.database_url)
    senders = build_channels(settings, database).senders()
    if not senders:
        err.print(
            "No sending channel is configured: set DOORSTEP_TWILIO_* for SMS (and "
            "DOORSTEP_WHATSAPP_FROM for WhatsApp) or DOORSTEP_TELEGRAM_BOT_TOKEN for Telegram."
        )
        database.dispose()
        raise typer.Exit(1)
    if not _schema_ready(database):
        err.print("The database has no Doorstep tables yet: run `doorstep db upgrade` first.")
        raise typer.Exit(1)
    logger.info("worker started; sending on %s", ", ".join(sorted(senders)))
    stale = datetime.timedelta(seconds=settings.outbox_stale_seconds)
    try:
        asyncio.run(_until_signalled(database, senders, stale, name))
    finally:
        database.dispose()
    logger.info("worker stopped")
