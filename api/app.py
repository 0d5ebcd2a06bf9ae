"""The FastAPI application: provider webhooks, web chat, officer and analyst endpoints."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.auth.deps import CurrentUser
from api.background import BackgroundWork
from api.console.home import DOCS_STATIC
from api.console.home import register as register_home
from api.errors import register as register_error_handlers
from api.openapi import document_errors
from api.ops.access_log import install as hide_tokens_in_access_log
from api.ops.monitoring import register as register_monitoring
from api.ops.unavailable import register as register_unavailable
from api.routes import register_routes, register_webhooks
from bot.service import Service, build_service
from bot.settings import Settings, get_settings, package_version
from channels.registry import ChannelRegistry, build_channels

logger = logging.getLogger(__name__)


def _lifespan(
    service: Service, channels: ChannelRegistry, background: bool, freeze_start_up: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: hooks, the scheduler and the dispatcher thread."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in app.state.startup_hooks:
            await hook()
        work = BackgroundWork(service, channels) if background else None
        if work is not None:
            work.start()  # the scheduler and dispatcher, in the one process that leads
        if freeze_start_up:
            settle_heap()
        logger.info(
            "Doorstep is running with %d questionnaire(s) and channels: %s",
            len(service.registry.all()),
            ", ".join(channels) or "none",
        )
        try:
            yield
        finally:
            if work is not None:
                work.stop()
            for hook in app.state.shutdown_hooks:
                await hook()
            service.database.dispose()

    return lifespan


def settle_heap() -> None:
    """Keep what start-up made (2,000 modules, a quarter of a million objects) out of the
    garbage collector's way: a full collection scanned it all, 110–170 ms during which no
    webhook was answered (the p99 on PostgreSQL, docs/performance.md). Collected once here,
    then frozen; a full collection now scans only what requests made since."""
    gc.collect()
    gc.freeze()


def create_served_app() -> FastAPI:
    """The app `doorstep serve` runs in each of its processes."""
    return create_app(freeze_start_up=True)


def create_app(
    settings: Settings | None = None,
    service: Service | None = None,
    channels: ChannelRegistry | None = None,
    *,
    background: bool = True,
    freeze_start_up: bool = False,
) -> FastAPI:
    """The app. `background=False` (tests) runs no scheduler and no dispatcher thread;
    `freeze_start_up` (a served process, `create_served_app`) settles the heap once started:
    not in a test process, which builds app after app and would keep each one's cycles."""
    settings = settings or get_settings()
    service = service or build_service(settings)
    channels = channels if channels is not None else build_channels(settings, service.database)
    lifespan = _lifespan(service, channels, background, freeze_start_up)
    hide_tokens_in_access_log()  # however uvicorn was started
    # /docs and /redoc from the installed package's copies of Swagger UI and ReDoc: no CDN.
    app = FastAPIOffline(
        title="Doorstep",
        version=package_version(),
        lifespan=lifespan,
        redoc_url=None,  # api.console.home serves it, keeping its one remote image out
        static_url=DOCS_STATIC,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.channels = channels
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    register_webhooks(app)
    register_monitoring(app)  # /metrics, /ready and the webhook timer
    register_error_handlers(app)
    register_home(app)
    register_unavailable(app)  # /health, and 503s when the database will not take writes

    @app.get("/api/questionnaires")
    def list_questionnaires(user: CurrentUser) -> list[dict[str, object]]:
        """The loaded questionnaires, for anyone signed in (the web chat does not need it)."""
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
    document_errors(app)
    return app
