"""`DOORSTEP_LOG_FORMAT=json`: one JSON object per line, with the request id, no tokens."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from logging.config import dictConfig

import pytest
from asgi_correlation_id import correlation_id

from api.ops.access_log import log_config

INVITE = "k3Jd9sQwErTyUiOp"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger configured as `doorstep serve` does with the JSON format."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    dictConfig(log_config("json"))
    buffer = io.StringIO()
    for handler in root.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
    yield buffer
    for handler in root.handlers:
        if handler not in saved[0]:
            root.removeHandler(handler)
    for handler in saved[0]:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(saved[1])


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_line_is_json_with_the_request_id(json_lines: io.StringIO) -> None:
    token = correlation_id.set("abc123")
    try:
        logging.getLogger("doorstep.test").warning("outbox row %d retried", 7)
    finally:
        correlation_id.reset(token)
    (line,) = lines(json_lines)
    assert line["request_id"] == "abc123"
    assert line["level"] == "WARNING" and line["logger"] == "doorstep.test"
    assert line["message"] == "outbox row 7 retried"
    assert str(line["time"]).endswith("+00:00")


def test_access_lines_keep_tokens_hidden(json_lines: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/chat/{INVITE}", "1.1", 200
    )
    (line,) = lines(json_lines)
    assert "/chat/{invite}" in str(line["message"]) and INVITE not in json_lines.getvalue()
    assert line["request_id"] == "-"


def test_an_exception_is_its_type_and_frames_not_its_message(json_lines: io.StringIO) -> None:
    number = "+44" + "7700900123"  # built here, so the frames' source lines do not show it
    try:
        raise ValueError(f"tenant {number} said something")
    except ValueError:
        logging.getLogger("doorstep.test").exception("sending failed")
    (line,) = lines(json_lines)
    assert line["error"] == "ValueError" and "test_json_logs.py" in str(line["frames"])
    assert number not in json_lines.getvalue()
