"""Rendering the officer console's pages: our templates over the auth package's `base.html`.

Pages extend `base.html` (skip link, navigation, sign-out form). Every page gets the same
security headers as the sign-in page: no caching, no framing, nothing from elsewhere.
"""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from api.auth.deps import FORM_LIMIT
from api.auth.pages import SECURITY_HEADERS, TEMPLATES_DIR
from api.http import FORM_TYPE, get_service, read_form, require_type
from bot.access.audit import action_words, filter_words
from bot.access.users import Principal
from bot.i18n.languages import LANGUAGES
from bot.outreach.channel_names import channel_title

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_PATH = "/console/static"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(value: object) -> str:
    """A time as officers read it: '2 Nov 2026 10:00 UTC'."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(datetime.UTC).strftime("%-d %b %Y %H:%M UTC")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%-d %b %Y %H:%M UTC")
    return str(value)


def money(amount: float, currency: str) -> str:
    return format_currency(amount, currency, locale="en_GB")


def duration(minutes: float) -> str:
    """'under a minute', '45 minutes', '3 hours 20 minutes'."""
    whole = math.ceil(minutes)
    if whole < 1:
        return "under a minute"
    hours, rest = divmod(whole, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return "about " + " ".join(parts)


def language_name(code: object) -> str:
    """'cy' -> 'Cymraeg (Welsh)': the own name first, then the English for officers."""
    language = LANGUAGES.get(str(code or "").split("-")[0].lower())
    if language is None:
        return str(code) if code else "–"
    if language.native_name == language.english_name:
        return language.native_name
    return f"{language.native_name} ({language.english_name})"


def language_label(code: object) -> Markup:
    """A language's name marked up with its language and direction, for running text."""
    language = LANGUAGES.get(str(code or "").split("-")[0].lower())
    if language is None:
        return Markup.escape(str(code) if code else "–")
    direction = "rtl" if language.right_to_left else "ltr"
    own = Markup('<span lang="{}" dir="{}">{}</span>').format(
        language.code, direction, language.native_name
    )
    if language.native_name == language.english_name:
        return own
    return own + Markup(" ({})").format(language.english_name)


# What a question asks for, in words ("one choice", not "select_one").
QUESTION_KINDS = {
    "text": "free text", "integer": "a whole number", "decimal": "a number", "date": "a date",
    "select_one": "one choice", "select_multiple": "several choices", "scale": "a scale",
    "yes_no": "yes or no", "note": "a message, no answer",
}  # fmt: skip


def question_kind(code: object) -> str:
    return QUESTION_KINDS.get(str(code), str(code).replace("_", " "))


def query(**values: object) -> str:
    return urlencode({name: value for name, value in values.items() if value not in (None, "")})


_env.filters["when"] = when
_env.filters["money"] = money
_env.filters["language_name"] = language_name
_env.filters["language_label"] = language_label
_env.filters["action_words"] = action_words
_env.filters["filter_words"] = filter_words
_env.filters["duration"] = duration
_env.filters["channel_name"] = channel_title
_env.filters["question_kind"] = question_kind
_env.globals["static"] = STATIC_PATH
_env.globals["query"] = query


def page(
    request: Request,
    name: str,
    principal: Principal,
    nav: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    service = get_service(request)
    html = _env.get_template(name).render(
        principal=principal,
        landlord=service.settings.landlord_name,
        nav_current=nav,
        csrf=principal.csrf_token or "",
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def fragment(name: str, **context: Any) -> HTMLResponse:
    """A piece of a page (no layout) for a script to swap in."""
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def back_to(path: str, **message: str) -> RedirectResponse:
    """After a form post: see the page again (303), with a short message on it."""
    suffix = f"?{query(**message)}" if message else ""
    return RedirectResponse(path + suffix, status_code=303)


async def form_of(request: Request) -> dict[str, str]:
    """The posted form's text fields; a console form is small, so a big body is refused."""
    require_type(request, (FORM_TYPE,), "Send the form as an ordinary web form.")
    pairs = await read_form(request, FORM_LIMIT, max_fields=40)
    return {name: value.replace("\x00", "") for name, value in pairs}
