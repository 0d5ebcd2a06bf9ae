"""Twilio's webhooks handed straight to their handlers, ahead of the router.

Twilio's webhooks are most of the service's requests. On its way to a route a request
passes FastAPI's exception and exit-stack layers, the router's walk over every route and
the route's own wrapper; for a webhook that was about a fifth of the server's time
(docs/performance.md). This layer sits inside the request id, error and timing
middlewares, so a webhook still gets its `X-Request-ID`, its 500 sentence and its latency
histogram, and hands a `POST` to one of these paths to the same handler its route runs.
An error the handler raises gets the answer the app's exception handlers give it (a forged
signature 403, an oversized body 413, ...), looked up as Starlette does: by the error's
class, nearest first. Every other request, a `GET` to a webhook path included, goes on to
the router as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request], Awaitable[Response]]
ErrorHandler = Callable[[Request, Exception], Any]


class DirectWebhooks:
    """`POST`s to the given paths answered by their handlers, without the router."""

    def __init__(
        self,
        app: ASGIApp,
        handlers: Mapping[str, Handler],
        error_handlers: Mapping[Any, ErrorHandler],
    ) -> None:
        self.app = app
        self.handlers = handlers
        # The app's own dict: the handlers registered after this layer are in it too.
        self.error_handlers = error_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.get(scope["path"]) if scope["type"] == "http" else None
        if handler is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except Exception as error:
            answer = self._answer_for(error)
            if answer is None:
                raise  # a bug: UnexpectedErrors (api/errors.py) answers it with its 500 sentence
            if inspect.iscoroutinefunction(answer):
                response = await answer(request, error)
            else:  # as Starlette runs a plain function: on a worker thread
                response = await run_in_threadpool(answer, request, error)
        await response(scope, receive, send)

    def _answer_for(self, error: Exception) -> ErrorHandler | None:
        # A handler for Exception itself answers in Starlette's outermost layer, as here.
        for kind in type(error).__mro__:
            if kind is not Exception and kind in self.error_handlers:
                return self.error_handlers[kind]
        return None
