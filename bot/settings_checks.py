"""Production refuses secrets and URLs that look made up, one sentence per variable.

Secrets are judged by strength, not against a list of known bad values: the length once
spaces are stripped, how many different characters they use, and a rough entropy estimate
that also sees runs such as `abcdef…` or a repeated word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

if TYPE_CHECKING:
    from bot.settings import Settings

MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105 - a hint
SECRET_KEY_LENGTH = 32
SECRET_KEY_BITS = 80  # a random 32-character hex string scores about 95 or more
TELEGRAM_SECRET_LENGTH = 16
TELEGRAM_SECRET_BITS = 48
TELEGRAM_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts
TWILIO_TOKEN_FORMAT = re.compile(r"[0-9a-fA-F]{32}")
MIN_DISTINCT = 6


def _bits(symbols: Sequence[object]) -> float:
    """Shannon entropy of the symbols' own frequencies, times their number."""
    counts = Counter(symbols)
    total = len(symbols)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) * total


def estimated_bits(text: str) -> float:
    """A cautious guess at how many bits of chance a secret holds (0 for a repeated unit).

    The smaller of two estimates: over the characters, and over the steps between
    neighbouring characters, so `abcdefgh…` scores as low as `aaaaaaaa…`.
    """
    if len(text) < 2 or text in (text + text)[1:-1]:  # empty, or one unit repeated
        return 0.0
    steps = [ord(b) - ord(a) for a, b in pairwise(text)]
    return min(_bits(text), _bits(steps))


def _weak(text: str, bits: int) -> bool:
    return len(set(text)) < MIN_DISTINCT or estimated_bits(text) < bits


def _secret_key_problem(value: str, development_value: str) -> str | None:
    stripped = value.strip()
    fix = f"set at least {SECRET_KEY_LENGTH} random characters, e.g. {MAKE_SECRET}"
    if value == development_value:
        return f"DOORSTEP_SECRET_KEY still has its development value; {fix}."
    if len(set(stripped)) <= 1:
        return f"DOORSTEP_SECRET_KEY looks made up (blank or all one character); {fix}."
    if len(stripped) < SECRET_KEY_LENGTH:
        return f"DOORSTEP_SECRET_KEY is too short; {fix}."
    if _weak(stripped, SECRET_KEY_BITS):
        return f"DOORSTEP_SECRET_KEY is too easy to guess (it repeats or runs in order); {fix}."
    return None


def _telegram_secret_problem(value: str) -> str | None:
    fix = (
        f"set {TELEGRAM_SECRET_LENGTH} to 256 random letters, digits, _ or -, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))'"
    )
    if not value:
        return f"DOORSTEP_TELEGRAM_SECRET_TOKEN is not set while Telegram is on; {fix}."
    if not TELEGRAM_SECRET_FORMAT.fullmatch(value):
        return f"DOORSTEP_TELEGRAM_SECRET_TOKEN has characters Telegram refuses; {fix}."
    if len(value) < TELEGRAM_SECRET_LENGTH:
        return f"DOORSTEP_TELEGRAM_SECRET_TOKEN is too short; {fix}."
    if _weak(value, TELEGRAM_SECRET_BITS):
        return f"DOORSTEP_TELEGRAM_SECRET_TOKEN is too easy to guess; {fix}."
    return None


def _twilio_token_problem(value: str) -> str | None:
    if not TWILIO_TOKEN_FORMAT.fullmatch(value) or len(set(value.lower())) < MIN_DISTINCT:
        return (
            "DOORSTEP_TWILIO_AUTH_TOKEN does not look like a Twilio auth token "
            "(32 hexadecimal characters); copy it from the Twilio console."
        )
    return None


def _public_url_problem(value: str) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname:
        return (
            "DOORSTEP_PUBLIC_BASE_URL must be the https:// address people and providers "
            "reach this service at (without https, sign-in cookies are sent unprotected)."
        )
    return None


def production_problems(settings: Settings, development_secret: str) -> list[str]:
    """Every reason these settings are unsafe for production, one sentence each."""
    problems = [
        _secret_key_problem(settings.secret_key.get_secret_value(), development_secret),
        _public_url_problem(settings.public_base_url),
    ]
    if settings.telegram_enabled:
        problems.append(_telegram_secret_problem(settings.telegram_secret_token.get_secret_value()))
    if settings.sms_enabled:
        problems.append(_twilio_token_problem(settings.twilio_auth_token.get_secret_value()))
    if settings.email_enabled:
        problems.append(_smtp_production_problem(settings.smtp_url.get_secret_value()))
    return [problem for problem in problems if problem]


WHATSAPP_PURPOSES = ("invitation", "reminder", "reopen")
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


def whatsapp_template_problems(configured: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What is wrong with DOORSTEP_WHATSAPP_TEMPLATES, one sentence each."""
    problems = []
    for purpose, languages in configured.items():
        if purpose not in WHATSAPP_PURPOSES:
            problems.append(
                f"DOORSTEP_WHATSAPP_TEMPLATES names {purpose!r}, which is not something "
                f"Doorstep sends; use {', '.join(WHATSAPP_PURPOSES)}."
            )
            continue
        for language, sid in languages.items():
            if not CONTENT_SID.match(sid):
                problems.append(
                    f"DOORSTEP_WHATSAPP_TEMPLATES gives the {purpose} template in {language!r} "
                    "a Content SID that is not one (HX followed by 32 hexadecimal digits)."
                )
    return problems


def settings_error_sentences(error: ValidationError) -> list[str]:
    """The sentences inside a settings validation error, each naming its variable."""
    sentences: list[str] = []
    for item in error.errors(include_url=False):
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, ValueError):  # our own sentences, from the validator above
            sentences.extend(str(cause).splitlines())
            continue
        name = "DOORSTEP_" + "_".join(str(part) for part in item["loc"][:1]).upper()
        problem = str(item["msg"]).rstrip(".")
        sentences.append(f"{name} is not valid: {problem[:1].lower()}{problem[1:]}.")
    return sentences


MINIMUM_CONTRAST = 4.5  # WCAG 2.2 AA for normal text
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _luminance(colour: str) -> float:
    """Relative luminance of an sRGB "#rrggbb" colour (WCAG's formula)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def brand_colour_problem(colour: str) -> str | None:
    """Why white text on the landlord's main colour would be hard to read, or None."""
    if not _HEX_COLOUR.fullmatch(colour):
        return f"DOORSTEP_BRAND_COLOUR {colour!r} is not a colour like #0b4f8a."
    ratio = contrast_ratio(colour, "#ffffff")
    if ratio < MINIMUM_CONTRAST:
        return (
            f"DOORSTEP_BRAND_COLOUR {colour}: white text on it has a contrast of {ratio:.1f}:1 "
            f"and needs at least {MINIMUM_CONTRAST}:1, so choose a darker colour."
        )
    return None


def logo_problem(path: Path) -> str | None:
    if path.suffix.lower() not in {".png", ".svg", ".jpg", ".jpeg", ".webp"}:
        return f"DOORSTEP_LANDLORD_LOGO {path}: use a PNG, SVG, JPEG or WebP file."
    if not path.is_file():
        return f"DOORSTEP_LANDLORD_LOGO {path}: there is no such file."
    return None


SMTP_SCHEMES = ("smtp", "smtps")


def smtp_url_problem(url: str) -> str | None:
    """Why DOORSTEP_SMTP_URL cannot be used (without repeating its password), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    example = "smtp://user:password@mail.example.org:587?starttls=1"
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        return f"DOORSTEP_SMTP_URL must look like {example} (or smtps://... for port 465)."
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return f"DOORSTEP_SMTP_URL has a port that is not a number; write it like {example}."
    return None


def smtp_starttls(query: str) -> bool:
    """Whether the URL's query asks for STARTTLS (`?starttls=1`, `true` or `yes`)."""
    values = parse_qs(query).get("starttls", ["0"])
    return values[0].lower() in ("1", "true", "yes")


def _smtp_production_problem(url: str) -> str | None:
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.password and parts.scheme == "smtp" and not smtp_starttls(parts.query) and not local:
        return (
            "DOORSTEP_SMTP_URL would send its password unencrypted: use smtps://... "
            "(port 465) or add ?starttls=1 (port 587)."
        )
    return None


def smtp_description(url: str) -> str:
    """Where email goes, in words, without the user name or password."""
    if not url:
        return "Email is off: set DOORSTEP_SMTP_URL and DOORSTEP_EMAIL_FROM to send it."
    parts = urlsplit(url)
    secure = "no encryption"
    if parts.scheme == "smtps":
        secure = "TLS"
    elif smtp_starttls(parts.query):
        secure = "STARTTLS"
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    return f"Email goes through the SMTP server {parts.hostname} port {port} ({secure})."
