"""`POST /webhooks/telegram` and `doorstep telegram poll`: Telegram updates into the engine.

python-telegram-bot's Application runs inside the FastAPI lifespan (built with
`.updater(None)`: updates come from this route, not from polling). The route checks the
secret token Telegram sends with every update, reads the body within a size limit and
processes the update before it answers, so an acknowledged update is a committed one.
Without a public URL, `doorstep telegram poll` fetches updates by long polling instead and
feeds them to the same processing, and sends the replies itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hmac
import logging
import signal
import traceback
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from api.errors import request_id
from api.http import Limit, read_json
from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.worker import run_dispatcher
from bot.service import Service, build_service
from bot.settings import Settings
from channels.telegram.sender import TelegramChannel
from channels.telegram.updates import ALLOWED_UPDATES, MalformedUpdate, UpdateProcessor

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# An update is a few kB; anything near this is not from Telegram.
UPDATE_LIMIT = Limit(256 * 1024, "An update must be at most 256 kB.")
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, *, polling: bool = False) -> TelegramApp:
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


def register(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    service: Service = app.state.service
    processor = UpdateProcessor(service.engine, settings)
    application = build_application(settings) if settings.telegram_enabled else None
    app.state.telegram_application = application
    lock = asyncio.Lock()

    async def ensure_running() -> None:
        # Telegram being unreachable at start-up must not stop the rest of the service.
        assert application is not None
        async with lock:
            if application.running:
                return
            try:
                await application.initialize()
                await application.start()
            except TelegramError as error:
                logger.warning("could not reach Telegram yet (%s)", type(error).__name__)

    async def shutdown() -> None:
        assert application is not None
        if application.running:
            await application.stop()
        await application.shutdown()

    if application is not None:
        app.state.startup_hooks.append(ensure_running)
        app.state.shutdown_hooks.append(shutdown)

    @app.post("/webhooks/telegram", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        expected = settings.telegram_secret_token.get_secret_value().encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            raise HTTPException(403, "The Telegram secret token is missing or wrong.")
        if application is None:
            raise HTTPException(404, "Telegram is not set up on this server.")
        data = _update_data(await read_json(request, UPDATE_LIMIT))
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # untrusted shapes can trip the parser in many ways
            raise HTTPException(400, "The body is not a Telegram update we can read.") from None
        if not application.running:
            await ensure_running()
        await _process(processor, update, application.bot)
        return Response(status_code=200)


async def _process(processor: UpdateProcessor, update: Update, bot: Bot) -> None:
    """One update into the engine; only a database outage makes Telegram send it again."""
    try:
        await processor.process(update, bot)
    except MalformedUpdate as error:
        raise HTTPException(400, f"This is not a Telegram update we can read: {error}.") from None
    except (OperationalError, InterfaceError) as error:
        # The database is away: Telegram retries a 5xx later, so the update is not lost.
        logger.error("database unavailable for a Telegram update (%s)", type(error).__name__)
        raise HTTPException(503, "Temporarily unable to take updates; try again.") from None
    except Exception as error:
        # Answering 200 drops this one update: a 5xx would make Telegram hold back every
        # later update behind it for a day. The message of a database error can quote the
        # tenant's text, so only its type and place are logged.
        logger.error("Telegram update failed (ref %s): %s", request_id(), _where(error))


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


def _update_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise HTTPException(400, "The body is not a Telegram update (no update_id).")
    for key in ("message", "callback_query"):
        if key in data and not isinstance(data[key], dict):
            raise HTTPException(400, f"The update's {key} is not an object.")
    return data


class PollingFailed(Exception):
    """Why `doorstep telegram poll` stopped, as a sentence for the person running it."""


def run_polling(settings: Settings) -> None:
    """`doorstep telegram poll`: runs until Ctrl+C; Telegram's refusals become sentences."""
    try:
        asyncio.run(poll(settings))
    except InvalidToken:  # its message holds the token: never show it
        raise PollingFailed(
            "Telegram refused the bot token: check DOORSTEP_TELEGRAM_BOT_TOKEN."
        ) from None
    except TelegramError as error:
        raise PollingFailed(
            f"Could not talk to Telegram ({type(error).__name__}): check the network and try again."
        ) from None


async def poll(
    settings: Settings,
    *,
    service: Service | None = None,
    stop: asyncio.Event | None = None,
    poll_timeout: datetime.timedelta = datetime.timedelta(seconds=10),
) -> None:
    """Long polling for local development: take updates and send replies until stopped."""
    service = service or build_service(settings)
    processor = UpdateProcessor(service.engine, settings)
    channel = TelegramChannel.from_settings(settings)
    dispatcher = Dispatcher(service.database, {channel.name: channel}, clock=service.engine.clock)
    application = build_application(settings, polling=True)

    async def handle(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await processor.process(update, context.bot)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Telegram update failed (%s)", type(context.error).__name__)

    application.add_handler(TypeHandler(Update, handle))
    application.add_error_handler(on_error)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(signal_number, stop.set)
    async with application:
        await application.start()
        assert application.updater is not None
        # Telegram refuses getUpdates while a webhook is set: this also removes the webhook.
        await application.updater.start_polling(
            timeout=poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
        )
        await channel.start()
        try:
            await run_dispatcher(dispatcher, stop)
        finally:
            await application.updater.stop()
            await application.stop()
            await channel.stop()
