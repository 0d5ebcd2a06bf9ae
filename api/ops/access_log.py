"""The access log records routes, not tokens: `GET /chat/{invite}`, never the invite itself.

A personal chat link resumes someone's unfinished conversation and a tenant reference in a
path points at one person; uvicorn logs every request line, so its access logger gets a
filter that rewrites those path segments and the values of token-like query parameters.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import parse_qsl

ACCESS_LOGGER = "uvicorn.access"
HIDDEN = "[hidden]"
# Fixed routes under /chat; any other segment there is a personal invite token.
_CHAT_ROUTES = frozenset({"static", "reply", "start", "language"})
_CHAT = re.compile(r"^/chat/([^/]+)")
# An email's one-click unsubscribe link: its token names an address.
_UNSUBSCRIBE = re.compile(r"^/email/unsubscribe/[^/]+")
# /api/tenants/{tenant_ref}..., /console/tenants/{tenant_ref}... (but not .../import).
_TENANT = re.compile(r"^(/api|/console)/tenants/(?!import(?:/|$))[^/]+")
# Query parameters whose values are secrets, links or personal search terms.
_HIDDEN_PARAMETERS = frozenset(
    {"token", "start", "invite", "key", "api_key", "secret", "password", "code", "q", "next",
     "tenant", "tenant_ref", "email"}
)  # fmt: skip


def _hide_path(path: str) -> str:
    chat = _CHAT.match(path)
    if chat is not None and chat.group(1) not in _CHAT_ROUTES:
        return "/chat/{invite}" + path[chat.end() :]
    path = _UNSUBSCRIBE.sub("/email/unsubscribe/{token}", path)
    return _TENANT.sub(r"\1/tenants/{tenant_ref}", path)


def _hide_query(query: str) -> str:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
    except ValueError:
        return HIDDEN
    parts = []
    for name, value in pairs:
        hidden = name.lower() in _HIDDEN_PARAMETERS or _hide_path(value) != value
        parts.append(f"{name}={HIDDEN if hidden and value else value}")
    return "&".join(parts)


def hide_tokens(target: str) -> str:
    """A request target (path and query) as it may be logged."""
    path, question, query = target.partition("?")
    hidden = _hide_path(path)
    return hidden + (f"?{_hide_query(query)}" if question else "")


class HideTokens(logging.Filter):
    """Rewrites the path of uvicorn's access records: (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], hide_tokens(args[2]), args[3], args[4])
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Add the filter to the access logger once (uvicorn configures it before the app loads)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, HideTokens) for existing in logger.filters):
        logger.addFilter(HideTokens())


def log_config(log_format: str = "plain") -> dict[str, Any]:
    """The service's logging set-up (every line with its request id) with the filter on the
    access logger, so the log shows routes, never chat links or tokens. `json` writes each
    line as one JSON object (`api.ops.json_logs`)."""
    from api.errors import LOGGING

    config = copy.deepcopy(LOGGING)
    if log_format == "json":
        config["formatters"]["json"] = {"()": "api.ops.json_logs.JsonFormatter"}
        config["handlers"]["stderr"]["formatter"] = "json"
    config.setdefault("filters", {})["hide_tokens"] = {"()": f"{__name__}.HideTokens"}
    config["loggers"].setdefault(ACCESS_LOGGER, {}).setdefault("filters", []).append("hide_tokens")
    return config
