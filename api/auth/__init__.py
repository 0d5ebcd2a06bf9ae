"""Authentication and roles: API keys and console sign-in, the dependencies routes use.

Routes import `api.auth.deps` (CurrentUser, require_roles, SessionDep); `register(app)`
adds the sign-in routes and serves the console's static files.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from api.auth.pages import STATIC_DIR, STATIC_PATH
from api.auth.routes import router


def register(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="console-static")


__all__ = ["register"]
