"""The access log shows routes, not personal chat links, tenant references or tokens."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from logging.config import dictConfig

import pytest
from uvicorn.logging import AccessFormatter

from api.ops.access_log import HideTokens, hide_tokens, install, log_config
from bot.service import Service
from tests.support.auth import client_for

INVITE = "3u7NqP0xw9Zr1sT2vW3yA4bC5dE6fG7hJ8kL9mN0pQ1"


def access_record(path: str) -> logging.LogRecord:
    """A record built as uvicorn's HTTP protocols build one for each response."""
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:51234", "GET", path, "1.1", 200), None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/chat/{INVITE}", "/chat/{invite}"),
        (f"/chat/{INVITE}?lang=cy", "/chat/{invite}?lang=cy"),
        ("/chat/static/chat.js", "/chat/static/chat.js"),
        ("/chat/reply", "/chat/reply"),
        ("/api/tenants/T-10042", "/api/tenants/{tenant_ref}"),
        ("/api/tenants/T-10042/subject-access", "/api/tenants/{tenant_ref}/subject-access"),
        ("/console/tenants/T-1/erase", "/console/tenants/{tenant_ref}/erase"),
        ("/api/tenants/import", "/api/tenants/import"),
        ("/api/tenants?q=T-10042&limit=5", "/api/tenants?q=[hidden]&limit=5"),
        ("/console/login?next=/console/tenants/T-1", "/console/login?next=[hidden]"),
        ("/somewhere?token=abc&ref=/chat/" + INVITE, "/somewhere?token=[hidden]&ref=[hidden]"),
        ("/api/concerns?status=open", "/api/concerns?status=open"),
        ("/email/unsubscribe/12.0123456789abcdef", "/email/unsubscribe/{token}"),
    ],
)
def test_the_filter_rewrites_a_uvicorn_access_record(path: str, logged: str) -> None:
    record = access_record(path)
    assert HideTokens().filter(record) is True
    assert record.args == ("203.0.113.9:51234", "GET", logged, "1.1", 200)
    line = AccessFormatter("%(request_line)s %(status_code)s", use_colors=False).format(record)
    assert line == f"GET {logged} HTTP/1.1 200 OK"
    assert hide_tokens(path) == logged


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """uvicorn's access logger configured as `doorstep serve` configures it, into a buffer."""
    logger, root = logging.getLogger("uvicorn.access"), logging.getLogger()
    saved = (logger.handlers[:], logger.filters[:], logger.level, logger.propagate)
    saved_root = (root.handlers[:], root.level)
    dictConfig(log_config())
    buffer = io.StringIO()
    # The access lines reach the root's handler (which adds the request id).
    handlers = logger.handlers + (root.handlers if logger.propagate else [])
    assert handlers
    for handler in handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
    yield buffer
    logger.handlers, logger.filters, logger.level, logger.propagate = (
        saved[0], saved[1], saved[2], saved[3],
    )  # fmt: skip
    root.handlers, root.level = saved_root


def test_serve_logging_config_hides_invites(access_lines: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/chat/{INVITE}", "1.1", 200
    )
    text = access_lines.getvalue()
    assert "GET /chat/{invite} HTTP/1.1" in text and INVITE not in text


def test_the_app_installs_the_filter_once(service: Service) -> None:
    logger = logging.getLogger("uvicorn.access")
    before = logger.filters[:]
    try:
        logger.filters = [f for f in logger.filters if not isinstance(f, HideTokens)]
        client_for(service)
        client_for(service)
        install()
        assert sum(isinstance(f, HideTokens) for f in logger.filters) == 1
    finally:
        logger.filters = before
