"""Failed sign-ins per client address, counted in the database for every worker.

The account lockout (`bot.access.signin`) stops guessing one account's password; this stops one
address trying password after password across many accounts. The limit answers 429: it
says something about the address, nothing about any account.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Connection
from starlette.requests import Request

from api.webchat.ratelimit import count, current, seconds_left
from api.webchat.security import client_key
from bot.access.signin import SignInError
from bot.settings import Settings


def address_key(settings: Settings, request: Request) -> str:
    """The caller's address, keyed with the secret so the table holds no IP address."""
    return f"login:{client_key(settings, request)}"


def _window(settings: Settings) -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.login_address_window_minutes)


def _too_many(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Too many sign-in attempts have come from your network. "
        f"Try again in {minutes} {unit}, or ask an administrator."
    )


def check_address(
    connection: Connection, settings: Settings, key: str, now: datetime.datetime
) -> None:
    """Raise a 429 SignInError while this address has used up its failures for the window."""
    window = _window(settings)
    if current(connection, key, now, window) >= settings.login_max_failures_per_address:
        wait = seconds_left(now, window)
        raise SignInError(_too_many(wait), status=429, retry_after=wait)


def count_failure(
    connection: Connection, settings: Settings, key: str, now: datetime.datetime
) -> None:
    count(connection, key, now, _window(settings))
