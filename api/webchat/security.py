"""The web chat's guards: the session cookie, CSRF tokens, bounded form reading.

The CSRF token is bound to the session: an HMAC of the cookie's token with the service's
secret, so it needs no storage and a page from another session never validates.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import texts
from bot.settings import Settings
from channels.webchat import channel as webchat

COOKIE = "doorstep_chat"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30  # a month: longer than any questionnaire stays open
MAX_BODY_BYTES = 16 * 1024  # 1,000 characters of any script, percent-encoded
MAX_FIELDS = 40
MAX_REPLY_CHARS = 1000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class ChatError(Exception):
    """A request the page answers with a friendly message and a 4xx status."""

    def __init__(self, status: int, message: str, **values: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message  # a `bot.i18n.texts` constant, translated when shown
        self.values = values


@dataclass(frozen=True)
class ChatSession:
    token: str
    new: bool  # no valid cookie came with the request: set one on the response

    @property
    def address(self) -> str:
        return webchat.address_for(self.token)


def chat_session(request: Request) -> ChatSession:
    token = request.cookies.get(COOKIE, "")
    if _TOKEN.fullmatch(token):
        return ChatSession(token, new=False)
    return ChatSession(webchat.new_token(), new=True)


def keep_session(response: Response, session: ChatSession, settings: Settings) -> None:
    """Set (or refresh) the cookie: HttpOnly, SameSite=Lax, Secure behind https."""
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=COOKIE_MAX_AGE,
        path="/chat",
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.startswith("https://"),
    )


def csrf_token(settings: Settings, session: ChatSession) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"csrf:{session.token}".encode("ascii"), hashlib.sha256).hexdigest()


def check_csrf(settings: Settings, session: ChatSession, form: dict[str, str]) -> None:
    given = form.get("csrf", "")
    if session.new or not hmac.compare_digest(given, csrf_token(settings, session)):
        raise ChatError(403, texts.CHAT_EXPIRED_FORM)


def client_key(settings: Settings, request: Request) -> str:
    """The caller's IP address, keyed so the rate-limit table holds no address."""
    host = request.client.host if request.client else "unknown"
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"ip:{host}".encode(), hashlib.sha256).hexdigest()[:32]


async def read_form(request: Request) -> tuple[dict[str, str], list[str]]:
    """A small url-encoded form: (first value of each field, every `choice` value).

    The body is read up to a limit, so an oversized post costs nothing and gets a 413.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise ChatError(415, texts.CHAT_BAD_REQUEST)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ChatError(413, texts.CHAT_TOO_LONG, limit=MAX_REPLY_CHARS)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise ChatError(413, texts.CHAT_TOO_LONG, limit=MAX_REPLY_CHARS)
    try:
        parsed = parse_qs(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise ChatError(400, texts.CHAT_BAD_REQUEST) from error
    fields = {name: values[0] for name, values in parsed.items() if values}
    return fields, parsed.get("choice", [])


def reply_text(form: dict[str, str], choices: list[str]) -> str:
    """The answer: a tapped button, ticked boxes ("1,3") or typed text."""
    text = ",".join(choice.strip() for choice in choices) if choices else form.get("reply", "")
    text = text.strip()
    if len(text) > MAX_REPLY_CHARS:
        raise ChatError(413, texts.CHAT_TOO_LONG, limit=MAX_REPLY_CHARS)
    if not text:
        raise ChatError(422, texts.CHAT_EMPTY)
    return text


def form_int(form: dict[str, str], name: str) -> int:
    value = form.get(name, "0")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ChatError(422, texts.CHAT_BAD_REQUEST)
    return int(value)
