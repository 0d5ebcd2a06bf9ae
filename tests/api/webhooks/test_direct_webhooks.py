"""Twilio's webhooks answered ahead of the router: same answers, same ids, same timing."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.routes import DIRECT_WEBHOOKS
from api.webhooks import twilio, whatsapp
from api.webhooks.direct import DirectWebhooks
from tests.support.twilio import (  # noqa: F401
    Twilio,
    twilio_fixture,
)

SMS = "/webhooks/twilio/sms"


class Refused(HTTPException):
    """A kind of HTTP error with an answer of its own, nearer than HTTPException's."""


class Unanswered(Exception):
    """An error no handler answers."""


async def direct(request: Request) -> Response:
    kind = request.query_params.get("raise", "")
    if kind == "http":
        raise HTTPException(418, "A teapot.")
    if kind == "refused":
        raise Refused(403, "Refused.")
    if kind == "other":
        raise Unanswered
    return PlainTextResponse("direct")


async def routed(request: Request) -> Response:
    return PlainTextResponse(f"routed {request.method}")


async def http_answer(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return PlainTextResponse(f"http {error.status_code}", status_code=error.status_code)


def refused_answer(request: Request, error: Exception) -> Response:  # a plain function
    return PlainTextResponse("refused", status_code=403)


def small_app() -> FastAPI:
    """An app whose route at /hook says "routed" and whose direct handler says "direct"."""
    app = FastAPI(routes=[Route("/hook", routed, methods=["GET", "POST"])])
    app.add_middleware(
        DirectWebhooks, handlers={"/hook": direct}, error_handlers=app.exception_handlers
    )
    app.add_exception_handler(HTTPException, http_answer)  # registered after the layer
    app.add_exception_handler(Refused, refused_answer)
    return app


def test_a_post_is_answered_by_its_handler_and_anything_else_by_the_router() -> None:
    with TestClient(small_app()) as client:
        assert client.post("/hook").text == "direct"
        assert client.get("/hook").text == "routed GET"
        assert client.post("/elsewhere").status_code == 404


def test_an_error_gets_the_answer_of_the_nearest_handler_registered_for_it() -> None:
    with TestClient(small_app(), raise_server_exceptions=True) as client:
        teapot = client.post("/hook?raise=http")
        assert (teapot.status_code, teapot.text) == (418, "http 418")
        refused = client.post("/hook?raise=refused")
        assert (refused.status_code, refused.text) == (403, "refused")
        with pytest.raises(Unanswered):
            client.post("/hook?raise=other")


def test_every_twilio_webhook_is_answered_ahead_of_the_router_by_its_routes_handler() -> None:
    posted = {
        route.path: route.endpoint
        for router in (twilio.router, whatsapp.router)
        for route in router.routes
        if isinstance(route, Route) and "POST" in (route.methods or ())
    }
    assert len(posted) == 4
    assert posted == DIRECT_WEBHOOKS


def webhook_count() -> float:
    value = REGISTRY.get_sample_value(
        "doorstep_webhook_seconds_count", {"channel": "sms", "kind": "inbound"}
    )
    return value or 0.0


def test_the_sms_webhook_keeps_its_id_timing_and_error_answers_without_its_route(
    twilio: Twilio,
) -> None:
    """A POST never reaches the router, and is still answered in full."""
    app = twilio.client.app
    assert isinstance(app, FastAPI)
    routed_paths: list[str] = []
    router_app = app.router.middleware_stack

    async def watched_router(scope: Scope, receive: Receive, send: Send) -> None:
        routed_paths.append(f"{scope['method']} {scope['path']}")
        await router_app(scope, receive, send)

    app.router.middleware_stack = watched_router
    before = webhook_count()
    answer = twilio.sms("YES")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in answer.text
    assert answer.headers["X-Request-ID"]
    assert webhook_count() == before + 1

    forged = twilio.client.post(
        SMS, data={"From": "+447700900123", "Body": "hi"}, headers={"X-Twilio-Signature": "x"}
    )
    assert forged.status_code == 403
    assert forged.json() == {"detail": "The request is not signed by Twilio for this address."}
    assert forged.headers["X-Request-ID"]
    wrong_type = twilio.client.post(SMS, content=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    too_big = twilio.client.post(
        SMS,
        content=b"Body=" + b"x" * 20_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status_code == 413
    assert routed_paths == []
    wrong_method = twilio.client.get(SMS)  # the route answers what is not a POST
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    assert wrong_method.json() == {
        "detail": "This address does not take GET requests; it takes POST."
    }
    assert routed_paths == [f"GET {SMS}"]
