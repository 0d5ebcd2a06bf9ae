"""The accessible web chat: `/chat` (open to everyone) and `/chat/{invite}` (personal links)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from api.webchat.pages import STATIC_DIR
from api.webchat.routes import router


def register(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/chat/static", StaticFiles(directory=STATIC_DIR), name="webchat-static")


__all__ = ["register"]
