"""The FastAPI application: provider webhooks, web chat, officer and analyst endpoints."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from api.errors import register as register_error_handlers
from api.routes import register_routes
from api.scheduler import start_scheduler
from bot.dispatch.thread import DispatcherThread
from bot.service import Service, build_service
from bot.settings import Settings, get_settings
from channels.registry import ChannelRegistry, build_channels

logger = logging.getLogger(__name__)


def _lifespan(
    service: Service, channels: ChannelRegistry, background: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: hooks, the scheduler and the dispatcher thread."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in app.state.startup_hooks:
            await hook()
        scheduler = start_scheduler(service) if background else None
        dispatcher = DispatcherThread(service.database, channels.senders())
        if background:
            dispatcher.start()
        logger.info(
            "Doorstep is running with %d questionnaire(s) and channels: %s",
            len(service.registry.all()),
            ", ".join(channels) or "none",
        )
        try:
            yield
        finally:
            dispatcher.stop()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            for hook in app.state.shutdown_hooks:
                await hook()
            service.database.dispose()

    return lifespan


def create_app(
    settings: Settings | None = None,
    service: Service | None = None,
    channels: ChannelRegistry | None = None,
    *,
    background: bool = True,
) -> FastAPI:
    """The app. `background=False` (tests) runs no scheduler and no dispatcher thread."""
    settings = settings or get_settings()
    service = service or build_service(settings)
    channels = channels if channels is not None else build_channels(settings)
    lifespan = _lifespan(service, channels, background)
    app = FastAPI(title="Doorstep", version="0.1.0", lifespan=lifespan)
    app.state.service = service
    app.state.settings = settings
    app.state.channels = channels
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    register_error_handlers(app)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/questionnaires")
    def list_questionnaires() -> list[dict[str, object]]:
        return [
            {
                "id": q.id,
                "version": q.version,
                "title": dict(q.title.texts),
                "languages": {code: status.value for code, status in q.languages.items()},
                "questions": len(q.questions),
                "channels": list(q.channels),
            }
            for q in service.registry.all()
        ]

    register_routes(app)
    return app
