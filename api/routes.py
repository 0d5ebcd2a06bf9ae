"""Every way into the service, in one list: each domain's routers and the static folders.

Adding an area means adding its router here; nothing else registers routes.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from api.auth import routes as auth
from api.auth import setup as first_admin
from api.campaigns import builder as campaign_builder
from api.campaigns import pages as campaign_pages
from api.campaigns import routes as campaigns
from api.concerns import pages as concern_pages
from api.concerns import routes as concerns
from api.console import pages as console
from api.console.render import STATIC_DIR as CONSOLE_STATIC
from api.email import routes as email
from api.exports import pages as export_pages
from api.exports import routes as exports
from api.privacy import pages as privacy_pages
from api.privacy import routes as privacy
from api.questionnaires import routes as questionnaires
from api.repairs import routes as repairs
from api.tenants import routes as tenants
from api.webchat import routes as webchat
from api.webchat.pages import STATIC_DIR as WEBCHAT_STATIC
from api.webhooks import telegram, twilio, whatsapp
from api.webhooks.direct import DirectWebhooks

# Matched first: every request walks the routes in order until one matches, and the
# providers' webhooks are most of the traffic (their paths clash with nothing).
WEBHOOKS: tuple[APIRouter, ...] = (twilio.router, whatsapp.router)
ROUTERS: tuple[APIRouter, ...] = (
    email.router,
    webchat.router,
    repairs.router,
    exports.router,
    auth.router,
    first_admin.router,
    privacy.router,
    privacy_pages.router,
    questionnaires.router,
    tenants.router,
    campaigns.router,
    concerns.router,
    console.router,
    campaign_builder.router,  # before the pages: /new is not a campaign id
    campaign_pages.router,
    concern_pages.router,
    export_pages.router,
)
# Twilio's webhooks, also answered ahead of the router (api/webhooks/direct.py says why):
# each POST route of their routers, with the handler that route runs.
DIRECT_WEBHOOKS = {
    route.path: route.endpoint
    for router in WEBHOOKS
    for route in router.routes
    if isinstance(route, Route) and "POST" in (route.methods or ())
}
STATIC = (
    ("/chat/static", WEBCHAT_STATIC, "webchat-static"),
    ("/console/static", CONSOLE_STATIC, "console-static"),
)


def register_webhooks(app: FastAPI) -> None:
    """The providers' webhooks, before any other route (`create_app` calls this first)."""
    for router in WEBHOOKS:
        app.include_router(router)
    # Added first, so innermost: inside the request id, error and timing middlewares.
    app.add_middleware(
        DirectWebhooks, handlers=DIRECT_WEBHOOKS, error_handlers=app.exception_handlers
    )
    # Telegram's webhook needs the running service (its bot application starts lazily).
    telegram.register(app)


def register_routes(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    for path, folder, name in STATIC:
        app.mount(path, StaticFiles(directory=folder), name=name)
