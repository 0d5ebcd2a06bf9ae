"""Officers' JSON endpoints under `/api/` and the officer console pages under `/console`."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from api.officer import campaigns, concerns, questionnaires, tenants
from api.officer.console import STATIC_DIR, STATIC_PATH
from api.officer.console import router as console_router


def register(app: FastAPI) -> None:
    for module in (questionnaires, tenants, campaigns, concerns):
        app.include_router(module.router)
    app.include_router(console_router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="officer-static")


__all__ = ["register"]
