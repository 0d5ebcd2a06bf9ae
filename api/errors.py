"""App-wide answers for errors: a sentence and the request's id, never a traceback.

- Every request gets an id (`X-Request-ID`, from asgi-correlation-id): sent back on every
  answer, put on every log line (`LOGGING`), and quoted on error pages.
- A typed error a domain raises (`STATUS` maps its type to the answer's status) becomes its
  own sentence: `{"detail": ...}` for the API (a list when the error has `problems`), an
  HTML page in the console's layout for `/console` pages. So are HTTP errors (401, 403,
  404, 405) and malformed console addresses, which FastAPI would answer with JSON.
- Anything else is a bug or an outage: logged with its type and frames only (its message
  may quote tenants' data, e.g. SQL parameters), answered 500 with a generic sentence.
- FastAPI's default 422 repeats the submitted input back, which fails to encode (a 500)
  when the input holds a lone surrogate, and echoes tenants' data; this one names the
  fields and says what is wrong instead.
"""

from __future__ import annotations

import http
import logging
import traceback
from collections.abc import Mapping
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analysis.exports.filters import FilterError
from api.auth.pages import render_page
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.spec import CampaignSpecError
from bot.campaigns.store import UnknownCampaign
from bot.concerns.queries import ConcernError
from bot.privacy.rights import UnknownTenant
from bot.tenants.table import TableError
from channels.sms.inbound import MalformedWebhook

logger = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
UNEXPECTED = "Sorry, something went wrong on our side (ref {ref})."

# The typed errors domains raise, and the status each is answered with. An error that
# carries its own `status` (ConcernError) answers with that one.
STATUS: dict[type[Exception], int] = {
    UnknownCampaign: 404,
    UnknownTenant: 404,
    CampaignStateError: 409,
    ConcernError: 409,
    CampaignSpecError: 422,
    FilterError: 422,
    TableError: 422,
    MalformedWebhook: 400,
}

LOG_FORMAT = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"
# For `logging.config.dictConfig` (and uvicorn's `log_config`): every line has the id.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "asgi_correlation_id.CorrelationIdFilter", "default_value": "-"}
    },
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        name: {"handlers": [], "level": "INFO", "propagate": True}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    },
}


def request_id() -> str:
    return correlation_id.get() or "-"


def _is_page(path: str) -> bool:
    return path == "/console" or path.startswith("/console/")


def error_page(
    request: Request,
    status: int,
    sentences: list[str],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error as a console page: the sentences and the reference to quote."""
    service = getattr(request.app.state, "service", None)
    context = {
        "principal": getattr(request.state, "principal", None),
        "landlord": service.settings.landlord_name if service is not None else "",
        "status": status,
        "sentences": sentences,
        "ref": request_id(),
    }
    response = render_page("error.html", context, status_code=status)
    response.headers.update(headers or {})
    return response


async def _typed_error(request: Request, error: Exception) -> Response:
    status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
    status = getattr(error, "status", status)
    problems = getattr(error, "problems", None)
    if _is_page(request.url.path):
        return error_page(request, status, list(problems or [str(error)]))
    return JSONResponse({"detail": problems or str(error)}, status_code=status)


# What a console page says for an HTTP error that carries no sentence of its own.
PAGE_SENTENCES = {
    401: "Sign in to see this page.",
    403: "Your role does not allow this page; ask an administrator.",
    404: "There is no such page. Check the address, or start again from the dashboard.",
    405: "That page cannot be used this way; start again from the dashboard.",
}


def _api_sentence(request: Request, error: StarletteHTTPException) -> str | None:
    """A sentence for the router's own errors, which carry only the status's phrase."""
    if error.detail != http.HTTPStatus(error.status_code).phrase:
        return None
    if error.status_code == 404:
        return "There is nothing at this address; the API's addresses are listed at /docs."
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        takes = " or ".join(method.strip() for method in allowed.split(",") if method.strip())
        return (f"This address does not take {request.method} requests"
                + (f"; it takes {takes}." if takes else "."))  # fmt: skip
    return None


async def _http_error(request: Request, error: Exception) -> Response:
    """FastAPI's own answer for the API, in a sentence where the router gave only a phrase;
    a page in the console's layout for console pages."""
    assert isinstance(error, StarletteHTTPException)
    if _is_page(request.url.path) and error.status_code >= 400:
        detail = error.detail if isinstance(error.detail, str) else ""
        default = PAGE_SENTENCES.get(error.status_code, "That did not work.")
        sentence = detail if detail and detail[-1:] in ".?!" else default
        return error_page(request, error.status_code, [sentence], getattr(error, "headers", None))
    said = _api_sentence(request, error)
    if said is not None:
        error = StarletteHTTPException(error.status_code, said, error.headers)
    return await http_exception_handler(request, error)


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if _is_page(request.url.path):  # a console address with a wrong part: no such page
        return error_page(request, 404, [PAGE_SENTENCES[404]])
    problems = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "problem": str(item.get("msg", "is not valid")),
        }
        for item in error.errors()
    ]
    return JSONResponse(
        status_code=422,
        content={"detail": "Some of the request is not valid.", "problems": problems},
    )


def log_unexpected(what: str, error: BaseException) -> None:
    """Log a failure by its type and frames only: its message may quote personal data."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s failed: %s\n%s", what, type(error).__name__, frames)


class UnexpectedErrors:
    """Answers any error nothing else handled: logged, then a 500 with a sentence."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            request = Request(scope)
            log_unexpected(f"{request.method} {request.url.path}", error)
            if started:  # too late for an answer: the client sees the connection close
                return
            sentence = UNEXPECTED.format(ref=request_id())
            response = (
                error_page(request, 500, [sentence])
                if _is_page(request.url.path)
                else JSONResponse({"detail": sentence}, status_code=500)
            )
            await response(scope, receive, send)


def register(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in STATUS:
        app.add_exception_handler(kind, _typed_error)
    # Added last, so outermost: the id is set before anything else runs or logs.
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER)
