"""Reading one cell as one field; a `ValueError` carries the sentence the officer sees.

Messages never repeat phone numbers or names: they end up in terminals and CI logs.
"""

from __future__ import annotations

import datetime
import re
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


def text(value: Any, limit: int, what: str) -> str:
    result = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
    if len(result) > limit:
        raise ValueError(f"The {what} is longer than {limit} characters.")
    return result


def reference(value: Any) -> str:
    if value == "":
        raise ValueError("The tenant reference is empty; every row needs one.")
    return text(value, 64, "tenant reference")


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
            "The preferred channel must be one of: SMS, Telegram, web chat, phone, email, letter."
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
