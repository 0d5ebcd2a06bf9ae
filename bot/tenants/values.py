"""Reading one cell as one field; a `ValueError` carries the sentence the officer sees.

Messages never repeat phone numbers or names: they end up in terminals and CI logs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import zoneinfo
from typing import Any

from bot.i18n.languages import LANGUAGES
from bot.tenants.phone import read_phone

# Codes the communication-preferences questionnaire uses, beyond the ten Doorstep speaks.
OTHER_LANGUAGE_CODES = {"es": "Spanish", "gu": "Gujarati", "bfi": "British Sign Language"}
_LANGUAGE_NAMES = {
    **{language.english_name.lower(): code for code, language in LANGUAGES.items()},
    **{language.native_name.lower(): code for code, language in LANGUAGES.items()},
    **{name.lower(): code for code, name in OTHER_LANGUAGE_CODES.items()},
    "punjabi": "pa",
    "chinese": "zh",
    "mandarin": "zh",
    "portugese": "pt",
    "bangla": "bn",
    "bsl": "bfi",
    "sign language": "bfi",
}
CHANNEL_VALUES = {
    "sms": "sms", "text": "sms", "txt": "sms", "textmessage": "sms", "mobile": "sms",
    "telegram": "telegram",
    "whatsapp": "whatsapp", "wa": "whatsapp",
    "webchat": "web_chat", "chat": "web_chat", "online": "web_chat", "website": "web_chat",
    "phone": "phone", "telephone": "phone", "call": "phone", "phonecall": "phone",
    "email": "email",
    "letter": "letter", "post": "letter", "mail": "letter", "paper": "letter",
}  # fmt: skip
TENURE_VALUES = {
    "lowcostrental": "low_cost_rental", "lcra": "low_cost_rental", "lcr": "low_cost_rental",
    "socialrent": "low_cost_rental", "affordablerent": "low_cost_rental",
    "generalneeds": "low_cost_rental", "rent": "low_cost_rental", "rental": "low_cost_rental",
    "rented": "low_cost_rental", "lowcostrentalaccommodation": "low_cost_rental",
    "sharedownership": "shared_ownership", "sharedowner": "shared_ownership",
    "so": "shared_ownership", "lcho": "shared_ownership",
    "lowcosthomeownership": "shared_ownership",
}  # fmt: skip
_PHONE_SPLIT = re.compile(r"\s*(?:[;,/|]|\bor\b|\band\b)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _key(value: str) -> str:
    return "".join(character for character in value.lower() if character.isalnum())


# Control characters a cell may not hold (tab and line breaks are allowed in text):
# PostgreSQL cannot store NUL, and the others are invisible in every screen and export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Hyphens and dashes a reference may be typed or pasted with (NFKC leaves these alone).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212", "-"))


def text(value: Any, limit: int, what: str) -> str:
    result = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
    if _CONTROL.search(result):
        raise ValueError(
            f"The {what} contains a hidden control character (such as NUL); retype it."
        )
    if len(result) > limit:
        raise ValueError(f"The {what} is longer than {limit} characters.")
    return result


def normal_reference(value: Any) -> str:
    """The one form in which a tenant reference is stored, compared and looked up.

    Housing systems treat references as case-insensitive codes, so `T-1007`, `t-1007`,
    `Ｔ-1007` (fullwidth), `T‑1007` (non-breaking hyphen), `T-1007` followed by a zero-width
    space and `T-1007` behind a right-to-left override are all the tenant `T-1007`:
    invisible format characters (Unicode category Cf: zero-width spaces and joiners,
    U+200B–U+200F, bidi controls U+202A–U+202E and U+2066–U+2069, U+FEFF, the soft hyphen)
    are dropped, the text is NFKC-normalised, every Unicode hyphen or dash becomes `-`, the
    ends are trimmed and letters are upper-cased.

    Raises `ValueError` with a sentence when a control character (such as NUL or a tab)
    is left inside: such a reference cannot be stored or typed again.
    """
    raw = value.isoformat() if isinstance(value, datetime.date) else str(value)
    visible = "".join(character for character in raw if unicodedata.category(character) != "Cf")
    folded = unicodedata.normalize("NFKC", visible).translate(_DASHES).strip().upper()
    if any(unicodedata.category(character) == "Cc" for character in folded):
        raise ValueError(
            "The tenant reference contains a hidden control character (such as NUL or a "
            "tab); retype it."
        )
    return folded


def reference(value: Any) -> str:
    """A reference cell as stored (see `normal_reference`); `ValueError` when unusable."""
    result = normal_reference(value)
    if result == "":
        raise ValueError("The tenant reference is empty; every row needs one.")
    if len(result) > 64:
        raise ValueError("The tenant reference is longer than 64 characters.")
    return result


def phones(value: Any, region: str) -> list[tuple[str, bool]]:
    """Each number in the cell in E.164, with whether it is certainly a landline."""
    if isinstance(value, int):
        value = str(value)  # Excel drops the leading 0; the national number still parses
    found = []
    for part in _PHONE_SPLIT.split(str(value)):
        if part:
            number = read_phone(part, region)
            found.append((number.e164, number.landline))
    return found


def language(value: Any) -> tuple[str, str | None]:
    """(code, None) for a known language; ("other", the text) for one not on the lists."""
    raw = text(value, 64, "language")
    lowered = raw.lower().replace("_", "-")
    code = lowered.split("-", 1)[0]
    if code in LANGUAGES or code in OTHER_LANGUAGE_CODES:
        return code, None
    if lowered in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[lowered], None
    return "other", raw


def preferred_channel(value: Any) -> str:
    found = CHANNEL_VALUES.get(_key(str(value)))
    if found is None:
        raise ValueError(
            "The preferred channel must be one of: SMS, Telegram, WhatsApp, web chat, phone, "
            "email, letter."
        )
    return found


def tenure(value: Any) -> str:
    found = TENURE_VALUES.get(_key(str(value)))
    if found is None:
        raise ValueError(
            "The tenure must be low-cost rental (LCRA, social or affordable rent) or shared "
            "ownership (LCHO)."
        )
    return found


def timezone(value: Any) -> str:
    name = str(value).strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("The time zone is not a known IANA name, such as Europe/London.") from None
    return name


def email(value: Any) -> str:
    result = text(value, 254, "email address")
    if not _EMAIL.match(result):
        raise ValueError("The email address is not in the form name@example.org.")
    return result


def whole_number(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"The {what} must be a whole number.")
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(f"The {what} must be a whole number, like 3.") from None
    if not low <= number <= high:
        raise ValueError(f"The {what} must be between {low} and {high}.")
    return number


def attribute_value(value: Any) -> Any:
    """An "attr:" cell as JSON: numbers stay numbers, dates become ISO text."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()  # Excel keeps every date as a midnight datetime
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str):
        return text(value, 500, "attribute value")
    return value


AGE_BANDS = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 84))
_DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def birth_date(value: Any) -> datetime.date:
    """A date of birth cell: an Excel date, ISO 8601 or UK day-first text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = str(value).strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        pass
    for pattern in _DAY_FIRST:
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError("The date of birth is not a date like 31/01/1960 or 1960-01-31.")


def age_from_birth(value: Any, today: datetime.date) -> tuple[int, str]:
    """(year of birth, age band) from a date of birth; the full date is not kept."""
    born = birth_date(value)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 16 <= age <= 120:
        raise ValueError("The date of birth gives an age under 16 or over 120; check it.")
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return born.year, f"age_{low}_{high}"
    return born.year, "age_85_plus"
