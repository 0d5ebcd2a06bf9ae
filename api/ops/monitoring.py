"""For operators: `/metrics` in Prometheus format, and `/ready` for load balancers.

- Webhook latency: a histogram per channel, timed around the whole request (the middleware
  below), so queueing for the database counts too.
- Outbox backlog, campaign progress, open concerns and cases by how soon their next
  deadline falls (overdue, within 24 h, within 7 days) are read from the database when
  Prometheus scrapes (a few index-range queries), so every API process reports the same
  figures and nothing has to be kept in step.
- Sends and failures by provider code are counted by the dispatcher (`bot.dispatch.metrics`).
- `/metrics` answers only the networks in `DOORSTEP_METRICS_NETWORKS` (loopback by default)
  or a request carrying `Authorization: Bearer $DOORSTEP_METRICS_TOKEN`.
- `/ready` is 503 with a sentence when the database will not take a write or the oldest due
  outbox row has waited longer than `DOORSTEP_READY_MAX_OUTBOX_LAG_SECONDS`.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterator

from fastapi import FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.campaigns.gauges import live_target_counts
from bot.concerns.digest import cases_by_next_deadline
from bot.concerns.queries import open_concerns
from bot.dispatch.backlog import Backlog, outbox_backlog
from bot.service import Service
from bot.settings import Settings
from bot.storage.health import probe_writable

# The routes a provider or a tenant's browser calls, by the channel they serve.
WEBHOOKS = {
    "/webhooks/twilio/sms": ("sms", "inbound"),
    "/webhooks/twilio/status": ("sms", "status"),
    "/webhooks/twilio/whatsapp": ("whatsapp", "inbound"),
    "/webhooks/twilio/whatsapp/status": ("whatsapp", "status"),
    "/webhooks/telegram": ("telegram", "inbound"),
    "/chat/reply": ("webchat", "inbound"),
    "/chat/start": ("webchat", "start"),
}
WEBHOOK_SECONDS = Histogram(
    "doorstep_webhook_seconds",
    "Time from a webhook's arrival to the end of its answer.",
    ["channel", "kind"],
    buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0),
)
# Each webhook's own histogram, labelled once rather than on every request.
_TIMED = {path: WEBHOOK_SECONDS.labels(*labels) for path, labels in WEBHOOKS.items()}
REFUSED = "Metrics are only shown to the allowed networks or with the metrics token."
NOT_READY_DISPATCH = (
    "Messages are waiting longer than {limit:.0f} seconds to be sent (the oldest for "
    "{age:.0f} seconds on {channel}): check that a dispatcher is running and the provider answers."
)


class WebhookTimer:
    """Times the webhook routes, from the request's arrival to its last body byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        histogram = _TIMED.get(scope.get("path", "")) if scope["type"] == "http" else None
        if histogram is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                histogram.observe(time.perf_counter() - started)

        await self.app(scope, receive, timed)


class DatabaseGauges(Collector):
    """Gauges read from the database at scrape time."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        now = self.service.engine.clock()
        with self.service.database.engine.connect() as connection:
            backlog = outbox_backlog(connection, now)
            targets = live_target_counts(connection)
            concerns, oldest_concern = open_concerns(connection, now)
            by_deadline = cases_by_next_deadline(connection, now)
        yield from _backlog_metrics(list(backlog.values()))
        progress = GaugeMetricFamily(
            "doorstep_campaign_targets",
            "Targets of running and paused campaigns, by status.",
            labels=["campaign", "status"],
        )
        for campaign, status, count in targets:
            progress.add_metric([campaign, status], count)
        yield progress
        yield GaugeMetricFamily("doorstep_concerns_open", "Open concerns.", value=concerns)
        yield GaugeMetricFamily(
            "doorstep_concerns_oldest_open_seconds",
            "How long the oldest open concern has waited for an officer.",
            value=oldest_concern,
        )
        near = GaugeMetricFamily(
            "doorstep_cases_by_next_deadline",
            "Cases not closed, by severity, category and how soon their next unmet Awaab's Law "
            "(or own-target) deadline falls: overdue, within_24h, within_7d, later, not_set.",
            labels=["severity", "category", "due"],
        )
        for (severity, category, window), count in sorted(by_deadline.items()):
            near.add_metric([severity, category, window], count)
        yield near


def _backlog_metrics(rows: list[Backlog]) -> Iterator[Metric]:
    families = (
        ("doorstep_outbox_due", "Pending outbox rows whose time has come.", "due"),
        ("doorstep_outbox_sending", "Outbox rows claimed, result not yet written.", "sending"),
        (
            "doorstep_outbox_oldest_due_seconds",
            "How long the oldest due outbox row has waited.",
            "oldest_due_seconds",
        ),
    )
    for name, documentation, attribute in families:
        family = GaugeMetricFamily(name, documentation, labels=["channel"])
        for row in rows:
            family.add_metric([row.channel], getattr(row, attribute))
        yield family


def may_scrape(request: Request, settings: Settings) -> bool:
    """A request from an allowed network, or with the metrics token."""
    token = settings.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    host = request.client.host if request.client is not None else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    allowed = settings.metrics_networks
    return any(address in ipaddress.ip_network(net, strict=False) for net in allowed)


def metrics_text(gauges: CollectorRegistry) -> bytes:
    """The process's counters and histograms, then the database's gauges."""
    return generate_latest(REGISTRY) + generate_latest(gauges)


def oldest_due_problem(service: Service, channels: set[str], limit: float) -> str | None:
    """A sentence when a sending channel's oldest due row has waited more than `limit` s."""
    with service.database.engine.connect() as connection:
        backlog = outbox_backlog(connection, service.engine.clock())
    for row in backlog.values():
        if row.channel in channels and row.oldest_due_seconds > limit:
            return NOT_READY_DISPATCH.format(
                limit=limit, age=row.oldest_due_seconds, channel=row.channel
            )
    return None


def register(app: FastAPI) -> None:
    service: Service = app.state.service
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(DatabaseGauges(service))
    app.add_middleware(WebhookTimer)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not may_scrape(request, request.app.state.settings):
            return JSONResponse(
                {"detail": REFUSED}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        body = await run_in_threadpool(metrics_text, gauges)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/ready", responses={503: {"description": "Not ready to take traffic."}})
    async def ready(request: Request) -> JSONResponse:
        """Ready when the database takes a write and the dispatcher keeps up."""
        problem = await run_in_threadpool(probe_writable, service.database)
        if problem is None:
            channels = set(request.app.state.channels.senders())
            limit = request.app.state.settings.ready_max_outbox_lag_seconds
            problem = await run_in_threadpool(oldest_due_problem, service, channels, limit)
        if problem is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "not ready", "problem": problem},
            status_code=503,
            headers={"Retry-After": "30"},
        )
