"""Reading numbers, points on a scale and dates from tenants' replies.

Pure functions that return ``None`` when a reply cannot be read with confidence (no clock:
``parse_date`` takes ``today``); see :mod:`bot.engine.replies` for the public entry point.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names
from babel.numbers import NumberFormatError, get_group_symbol
from babel.numbers import parse_decimal as babel_parse_decimal

from bot.engine.reply_text import DIGITS, is_digits, normalise, replace_keycaps, small_int

__all__ = ["parse_date", "parse_decimal", "parse_integer", "parse_scale"]

# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------

_NUMERIC_FOLDS = str.maketrans(
    {
        **DIGITS,
        0x066B: ".",  # Arabic decimal separator
        0x066C: ",",  # Arabic thousands separator
        0x2212: "-",  # minus sign
        0xFE0E: None,
        0xFE0F: None,
        **{tone: None for tone in range(0x1F3FB, 0x1F400)},  # skin tones on 👍
    }
)


def _prepare_number(text: str) -> str:
    """Digits to ASCII, keycaps to digits, invisible characters removed, trimmed."""
    text = replace_keycaps(text, "").translate(_NUMERIC_FOLDS)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", text).strip()


_INTEGER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)[.!]?")


def parse_integer(text: str) -> int | None:
    """A whole number: "42", " 42 ", "1,200", "+3", "-2".  Not "4.5", not words."""
    match = _INTEGER.fullmatch(_prepare_number(text))
    if match is None:
        return None
    value = small_int(match.group(2).replace(",", ""))
    if value is None:
        return None
    return -value if match.group(1) == "-" else value


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


_DECIMAL_CHARACTERS = re.compile(r"[+-]?[\d.,' \u00a0\u202f]+")
_POINT_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_MAX_DECIMAL_LENGTH = 64


def parse_decimal(text: str, locale: str) -> Decimal | None:
    """A decimal number written for ``locale`` ("3,5" in pl, ro, pt), or with a point.

    Grouping must be well formed for the locale ("1,200.5" in en, "1.200,5" in pt); a
    reply that the locale cannot read is tried once more with "." as the decimal point.
    Exponents, NaN and infinity are rejected.
    """
    prepared = _prepare_number(text)
    if (
        len(prepared) > _MAX_DECIMAL_LENGTH
        or not _DECIMAL_CHARACTERS.fullmatch(prepared)
        or not any(c.isdigit() for c in prepared)
    ):
        return None
    babel_locale = _locale(locale)
    candidate = prepared
    group = get_group_symbol(babel_locale)
    if group.isspace():
        candidate = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d)", group, candidate)
    value: Decimal | None
    try:
        value = babel_parse_decimal(candidate, babel_locale, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        value = None
    if value is None:
        if not _POINT_DECIMAL.fullmatch(prepared):
            return None
        try:
            value = Decimal(prepared)
        except InvalidOperation:
            return None
    return value if value.is_finite() else None


# --------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------

_STARS = frozenset({"*", "⭐", "★", "🌟", "✩", "✪", "✫", "✬", "✭", "✮", "✯", "✰"})

#: Faces for a five-point scale, as offsets from the minimum.
_FACES: Mapping[str, int] = {
    "😠": 0,
    "😡": 0,
    "🙁": 1,
    "☹": 1,
    "😐": 2,
    "🙂": 3,
    "😀": 4,
    "😃": 4,
    "😄": 4,
    "😁": 4,
    # A thumb is the milder point on its side: satisfied (4 of 5), dissatisfied (2 of 5).
    "👍": 3,
    "👎": 1,
}

_SCALE = re.compile(
    r"(?:#\s*)?([+-]?\d{1,9})"
    r"(?:\s*(?:/|\u2044|out\s+of|of|allan\s+o|o|z|na|din|de|من)\s*(\d{1,9}))?"
    r"(?:\s*(?:stars?|points?|pts))?[\s.!]*",
    re.IGNORECASE,
)


def parse_scale(text: str, minimum: int, maximum: int) -> int | None:
    """A point on the scale ``minimum``..``maximum``, or None when outside it.

    Accepts digits ("4", "4/5", "4 out of 5" - the "out of" must be ``maximum``), a row of
    stars ("⭐⭐⭐", "★★★★", "***"), keycap emoji ("4️⃣") and, on a five-point scale only,
    faces: 😠/😡 lowest, 🙁/☹️, 😐, 🙂, 😀/😃/😄/😁 highest, and thumbs: 👍 the fourth
    point, 👎 the second (the scale's top is its best end).
    """
    if minimum > maximum:
        return None
    prepared = _prepare_number(text)
    compact = "".join(prepared.split())
    value: int | None = None
    if compact and all(c in _STARS for c in compact):
        value = len(compact)
    elif compact in _FACES:
        value = minimum + _FACES[compact] if maximum - minimum == 4 else None
    else:
        match = _SCALE.fullmatch(prepared)
        if match is not None:
            if match.group(2) is not None and small_int(match.group(2)) != maximum:
                return None
            sign = -1 if match.group(1).startswith("-") else 1
            number = small_int(match.group(1).lstrip("+-"))
            value = None if number is None else sign * number
    if value is None or not minimum <= value <= maximum:
        return None
    return value


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_ENGLISH_MONTHS: Mapping[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

_DATE_FILLERS = frozenset({"of", "the", "de"})  # "31st of March", pt "31 de março de 2024"
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_CJK_DATE = re.compile(r"(\d{2}|\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?")
_TWO_DIGIT_YEAR_LOOKAHEAD = 10
_EARLIEST_YEAR = 1000


@lru_cache(maxsize=64)
def _month_names(locale: str) -> Mapping[str, int]:
    """Normalised month name -> month number: the locale's names, then English."""
    babel_locale = _locale(locale)
    names: dict[str, int] = {}
    ambiguous: set[str] = set()
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for month, name in get_month_names(width, context, babel_locale).items():
                key = normalise(str(name))
                if not key:
                    continue
                if names.get(key, month) != month:
                    ambiguous.add(key)
                names[key] = int(month)
    for key in ambiguous:
        del names[key]
    for key, month in _ENGLISH_MONTHS.items():
        names.setdefault(key, month)
    return names


def _year(digits: str, today: datetime.date) -> int | None:
    number = small_int(digits)
    if number is None:
        return None
    if len(digits) == 4:
        return number if number >= _EARLIEST_YEAR else None
    if len(digits) == 2:
        year = today.year - today.year % 100 + number
        if year > today.year + _TWO_DIGIT_YEAR_LOOKAHEAD:
            year -= 100
        return year
    return None


def _make_date(year: str, month: int | str, day: str, today: datetime.date) -> datetime.date | None:
    if isinstance(month, str):
        month_number = small_int(month) if len(month) <= 2 else None
    else:
        month_number = month
    full_year = _year(year, today)
    day_number = small_int(day) if len(day) <= 2 else None
    if full_year is None or month_number is None or day_number is None:
        return None
    try:
        return datetime.date(full_year, month_number, day_number)
    except (ValueError, OverflowError):
        return None


#: English relative words, used when the caller passes none (tests, tools).
ENGLISH_RELATIVE_DAYS: Mapping[str, int] = {"today": 0, "tomorrow": 1, "yesterday": -1}
_CJK_MONTH_DAY = re.compile(r"(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?")


def recent_date(month: int, day: int, today: datetime.date) -> datetime.date | None:
    """A date written without a year: the most recent such day, today included.

    Surveys ask when something happened (a repair, a move), so "12 March" read on
    6 December 2026 is 12 March 2026, and read on 1 March 2026 it is 12 March 2025. A tenant
    who means a future date writes the year. "29/2" is the last 29 February.
    """
    for year in range(today.year, today.year - 5, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:  # 29 February outside a leap year, 31 April
            continue
        if candidate <= today:
            return candidate
    return None


def _short(token: str) -> int | None:
    """A day or month number: one or two digits."""
    return small_int(token) if len(token) <= 2 else None


def _without_year(tokens: list[str], locale: str, today: datetime.date) -> datetime.date | None:
    """ "12 March", "March 12", "12th of March" or "12/3" (day first)."""
    first, second = tokens
    months = _month_names(locale)
    day, month = _short(first), _short(second)
    if day is None:
        day, month = _short(second), months.get(first)
    elif month is None:
        month = months.get(second)
    if day is None or month is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return recent_date(month, day, today)


def parse_date(
    text: str,
    locale: str,
    today: datetime.date,
    relative_days: Mapping[str, int] | None = None,
) -> datetime.date | None:
    """A calendar date, read day first (UK style).

    Accepts "2024-03-31", "31/03/2024", "31-3-2024", "31.03.2024", two-digit years
    (resolved to the century that puts the year no more than ten years after ``today``),
    "31 March 2024", "31 Mar 2024", "31st of March 2024", "March 31 2024", month names of
    ``locale`` ("31 Mawrth 2024", "31 marca 2024"), "2024年3月31日", dates without a year
    ("12 March", "12/3", "3月12日": see :func:`recent_date`) and the words of
    ``relative_days`` (normalised word -> days from today; English "today", "tomorrow" and
    "yesterday" when not given).  None for impossible dates such as 31/02.
    """
    normalised = normalise(text)
    offsets = ENGLISH_RELATIVE_DAYS if relative_days is None else relative_days
    if normalised in offsets:
        return today + datetime.timedelta(days=offsets[normalised])
    cjk = _CJK_DATE.fullmatch(normalised)
    if cjk is not None:
        return _make_date(cjk.group(1), cjk.group(2), cjk.group(3), today)
    cjk = _CJK_MONTH_DAY.fullmatch(normalised)
    if cjk is not None:
        return recent_date(int(cjk.group(1)), int(cjk.group(2)), today)

    tokens: list[str] = []
    for token in normalised.split():
        if token in _DATE_FILLERS:
            continue
        ordinal = _ORDINAL.fullmatch(token)
        tokens.append(ordinal.group(1) if ordinal else token)
    if len(tokens) == 2:
        return _without_year(tokens, locale, today)
    if len(tokens) != 3:
        return None
    first, second, third = tokens
    if all(is_digits(token) for token in tokens):
        if len(first) == 4:
            return _make_date(first, second, third, today)
        return _make_date(third, second, first, today)

    months = _month_names(locale)
    if second in months and is_digits(first) and is_digits(third):
        if len(first) == 4:  # 2024 March 31
            return _make_date(first, months[second], third, today)
        return _make_date(third, months[second], first, today)  # 31 March 2024
    if first in months and is_digits(second) and is_digits(third):  # March 31 2024
        return _make_date(third, months[first], second, today)
    return None
