"""The FastAPI application: health, questionnaires, and (as channels land) webhooks and chat."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.scheduler import start_scheduler
from bot.service import Service, build_service
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or get_settings()
    service = service or build_service(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = start_scheduler(service)
        logger.info("Doorstep is running with %d questionnaire(s)", len(service.registry.all()))
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            service.database.dispose()

    app = FastAPI(title="Doorstep", version="0.1.0", lifespan=lifespan)
    app.state.service = service

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

    return app
