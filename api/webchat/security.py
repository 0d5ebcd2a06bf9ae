"""The web chat's guards: the session cookie, CSRF tokens, reading a small form.

The CSRF token is bound to the session: an HMAC of the cookie's token with the service's
secret, so it needs no storage and a page from another session never validates.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api import http
from api.http import FORM_TYPE, Limit, require_type
from bot.i18n import texts
from bot.settings import Settings
from channels.webchat import channel as webchat

COOKIE = "doorstep_chat"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30  # a month: longer than any questionnaire stays open
# 1,000 characters of any script, percent-encoded (the sentence is the chat's own).
FORM_LIMIT = Limit(16 * 1024, texts.CHAT_TOO_LONG)
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

    The body is read up to a limit, so an oversized post costs nothing and gets a 413; the
    refusals are the chat's own sentences, in the conversation's language.
    """
    try:
        require_type(request, (FORM_TYPE,), texts.CHAT_BAD_REQUEST)
        pairs = await http.read_form(request, FORM_LIMIT, max_fields=MAX_FIELDS)
    except HTTPException as error:
        if error.status_code == 413:
            raise ChatError(413, texts.CHAT_TOO_LONG, limit=MAX_REPLY_CHARS) from None
        raise ChatError(error.status_code, texts.CHAT_BAD_REQUEST) from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields, [value for name, value in pairs if name == "choice"]


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
