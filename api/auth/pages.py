"""Rendering console pages: the shared Jinja2 environment and the headers every page gets.

Templates live in `api/console/templates` (see `base.html` for what a page extends and the
context it reads); static files in `api/console/static`, served at `/console/static`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
TEMPLATES_DIR = CONSOLE_DIR / "templates"
STATIC_DIR = CONSOLE_DIR / "static"
STATIC_PATH = "/console/static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Console pages show tenants' data: never cached, never framed, nothing from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def render_page(name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    html = environment.get_template(name).render(context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
