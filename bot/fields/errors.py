"""Pydantic's complaints as sentences people read: the field as people call it, what to write.

`Input should be a valid datetime or date, input is too short` on `starts_at` becomes "The
start time is not a date and time Doorstep can read: write it like 2027-03-02 09:00." Every
bad field gets its own sentence, so a form or file shows all its problems at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

DATE_TIME_EXAMPLE = "2027-03-02 09:00"
DATE_EXAMPLE = "2027-03-02"


@dataclass(frozen=True)
class Named:
    """How people call a field, and an accepted form to show when what they wrote is not."""

    name: str
    example: str | None = None


# pydantic error types -> what was wrong, as the end of a sentence about the field.
_UNREADABLE = {
    "datetime_parsing": "is not a date and time Doorstep can read",
    "datetime_from_date_parsing": "is not a date and time Doorstep can read",
    "datetime_type": "is not a date and time Doorstep can read",
    "date_parsing": "is not a date Doorstep can read",
    "date_from_datetime_parsing": "is not a date Doorstep can read",
    "date_type": "is not a date Doorstep can read",
    "iso_8601": "is a number, not a date",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be yes or no",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a list of names and values",
}


def sentences(error: ValidationError, fields: Mapping[str, Named], thing: str) -> list[str]:
    """One sentence per problem, in the order pydantic found them."""
    return [_sentence(item, fields, thing) for item in error.errors(include_url=False)]


def _sentence(item: Any, fields: Mapping[str, Named], thing: str) -> str:
    path = ".".join(str(part) for part in item["loc"] if part != "__root__")
    field = fields.get(path) or fields.get(str(item["loc"][0]) if item["loc"] else "")
    kind, context = item["type"], item.get("ctx") or {}
    if field is None:
        if kind == "extra_forbidden":
            return f"{path!r} is not a setting a {thing} has; check its spelling."
        label = f"The {path.replace('_', ' ')}" if path else f"The {thing}"
    else:
        label = f"The {field.name}"
    if kind == "missing":
        return f"{label} is missing."
    if kind in _UNREADABLE:
        text = f"{label} {_UNREADABLE[kind]}"
        example = field.example if field is not None else None
        return f"{text}: write it like {example}." if example else f"{text}."
    bounds = {
        "greater_than_equal": "must be at least {ge}",
        "greater_than": "must be more than {gt}",
        "less_than_equal": "must be at most {le}",
        "less_than": "must be less than {lt}",
        "string_too_short": "must not be empty",
        "string_too_long": "must be at most {max_length} characters",
    }
    if kind in bounds:
        return f"{label} {bounds[kind].format(**context)}."
    message = str(item["msg"]).removeprefix("Value error, ").rstrip(". ")
    if not path:  # a check across fields says itself which ones
        return f"{message[:1].upper()}{message[1:]}."
    return f"{label}: {message[:1].lower()}{message[1:]}."
