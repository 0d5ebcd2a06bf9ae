"""What the chat page shows, read from the database, and its server-rendered HTML.

The whole page works with plain form posts; `chat.js` only swaps in the fragments that
`fragment()` returns, so both paths render the same templates.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_timedelta
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from api.webchat.security import MAX_REPLY_CHARS, ChatError, ChatSession, csrf_token
from bot.i18n import texts
from bot.i18n.languages import (
    LANGUAGES,
    Language,
    babel_locale,
    negotiate,
    parse_accept_language,
)
from bot.i18n.translate import translator
from bot.questionnaire.model import Questionnaire
from bot.service import Service
from channels.webchat import channel as webchat

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")
# "Privacy notice: https://..." on a line of its own reads as a link named by its words.
_NAMED_LINK = re.compile(
    r"^(?P<words>[^:\n]{1,80}?)\s*[:：]\s*(?P<url>https?://\S+)$", re.MULTILINE
)
# Chat pages carry personal answers: never cached, never framed, no third-party anything.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def message_html(body: str) -> Markup:
    """A message as paragraphs and line breaks, with web addresses made into links."""
    paragraphs = []
    for paragraph in body.split("\n\n"):
        if not paragraph.strip():
            continue
        escaped = str(escape(paragraph))
        named = _NAMED_LINK.sub(
            lambda found: f'<a href="{found["url"]}">{found["words"]}</a>', escaped
        )
        linked = named if named != escaped else _URL.sub(_plain_link, escaped)
        paragraphs.append(f"<p>{linked.replace(chr(10), '<br>')}</p>")
    return Markup("".join(paragraphs))  # noqa: S704 - every piece was escaped above


def _plain_link(found: re.Match[str]) -> str:
    return f'<a href="{found[0]}">{found[0]}</a>'


def direction(language: str) -> str:
    """A language's writing direction; a message's words decide it, not its first word."""
    known = LANGUAGES.get(language)
    return "rtl" if known is not None and known.right_to_left else "ltr"


def duration(seconds: int, language: str) -> str:
    """A length of time in words, the CLDR way for the language ("10 munud", "دقيقتان")."""
    delta = datetime.timedelta(seconds=max(seconds, 60))
    return format_timedelta(delta, locale=babel_locale(language), format="long")


_env.filters["message"] = message_html
_env.globals["direction"] = direction
_env.globals["duration"] = duration


@dataclass
class ChatView:
    language: str
    status: webchat.ChatStatus
    lines: list[webchat.ChatLine]
    csrf: str
    after: int  # the latest message shown: replies say what they answer
    surveys: list[tuple[str, str]] = field(default_factory=list)  # (id, title) to choose from
    more: bool = False  # after a conversation, other surveys only when the tenant asks
    chosen: bool = False  # the tenant picked the page's language (menu or ?lang=)
    languages: list[Language] = field(default_factory=list)
    seconds_left: int | None = None  # until the open conversation closes
    extended: bool = False  # the tenant just asked for more time

    @property
    def current(self) -> webchat.ChatLine | None:
        return self.lines[-1] if self.lines and self.status.open else None


def open_to_everyone(service: Service) -> list[Questionnaire]:
    """What `/chat` offers: anonymous questionnaires, or every one in development (demo)."""
    demo = service.settings.environment == "development"
    return [
        questionnaire
        for questionnaire in service.registry.all()
        if webchat.CHANNEL in questionnaire.channels and (demo or questionnaire.anonymous)
    ]


def preferred_language(
    request: Request, service: Service, chosen: str | None, asked: str | None
) -> str:
    """The page's language before a conversation: `?lang=`, the menu, the browser, default."""
    for candidate in (asked, chosen):
        if candidate in LANGUAGES:
            return str(candidate)
    wanted = parse_accept_language(request.headers.get("accept-language"))
    return negotiate(wanted, list(LANGUAGES)) or service.settings.default_language


def load_view(
    service: Service,
    request: Request,
    session: ChatSession,
    *,
    after: int = 0,
    asked_language: str | None = None,
    more: bool = False,
    extended: bool = False,
) -> ChatView:
    now = service.engine.clock()
    with service.database.engine.connect() as connection, connection.begin():
        status = webchat.status(connection, session.address)
        lines = webchat.transcript(connection, session.address, after=after, now=now)
        chosen = webchat.session_language(connection, session.address)
        questionnaire = (
            service.registry.by_version_id(connection, status.version_id)
            if status.version_id is not None
            else None
        )
    # After the conversation the page keeps speaking its language, unless the tenant asks.
    spoken = chosen or (lines[-1].language if lines else None)
    language = status.language or preferred_language(request, service, spoken, asked_language)
    view = ChatView(
        language=language,
        status=status,
        lines=lines,
        csrf=csrf_token(service.settings, session),
        after=lines[-1].id if lines else after,
        more=more,
        chosen=asked_language in LANGUAGES or chosen in LANGUAGES,
        extended=extended,
    )
    if status.expires_at is not None:
        view.seconds_left = max(0, int((status.expires_at - now).total_seconds()))
    if questionnaire is not None:
        codes = [code for code in LANGUAGES if code in questionnaire.languages]
        view.languages = [LANGUAGES[code] for code in codes]
    else:
        view.languages = list(LANGUAGES.values())
        view.surveys = [(q.id, q.title.get(language)) for q in open_to_everyone(service)]
    return view


def _context(service: Service, language: str, **values: Any) -> dict[str, Any]:
    settings = service.settings
    return {
        "t": translator(language),
        "texts": texts,
        "lang": language,
        "dir": direction(language),
        "landlord": settings.landlord_name,
        "privacy_url": settings.privacy_notice_url,
        "logo": settings.landlord_logo is not None,
        "help_phone": settings.help_phone,
        "languages": list(LANGUAGES.values()),
        "max_reply": MAX_REPLY_CHARS,
        "warning_seconds": settings.webchat_expiry_warning_minutes * 60,
        **values,
    }


def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def render_page(service: Service, view: ChatView) -> Response:
    html = _env.get_template("chat.html").render(_context(service, view.language, view=view))
    return _secure(HTMLResponse(html))


def fragment(service: Service, view: ChatView) -> Response:
    """New messages and fresh answer controls, for the script to swap into the page."""
    context = _context(service, view.language, view=view)
    return _secure(
        JSONResponse(
            {
                "messages": _env.get_template("_messages.html").render(context),
                "controls": _env.get_template("_answer.html").render(context),
                "lang": context["lang"],
                "dir": context["dir"],
                "open": view.status.open,
            }
        )
    )


def render_error(
    service: Service, language: str, error: ChatError, *, wants_json: bool = False
) -> Response:
    tr = translator(language)
    message = tr(error.message, **error.values)
    headers = {}
    if error.status == 429:
        headers["Retry-After"] = str(error.values.get("retry_after", 60))
    if wants_json:
        response: Response = JSONResponse(
            {"error": message}, status_code=error.status, headers=headers
        )
    else:
        html = _env.get_template("error.html").render(_context(service, language, message=message))
        response = HTMLResponse(html, status_code=error.status, headers=headers)
    return _secure(response)
