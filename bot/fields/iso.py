"""Dates and times that must be written in ISO 8601, as the API documents them.

Pydantic's lax mode also takes a number (or text such as `0.5`) as a Unix timestamp, so
`until=0.5` or `"completed_at": 0` quietly meant 1970. These types refuse numbers; any other
value is parsed as before (ISO 8601 text, or a date/datetime object from a spreadsheet).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _refuse_numbers(example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float | Decimal) or (
            isinstance(value, str) and NUMBER.fullmatch(value)
        ):
            raise PydanticCustomError(
                "iso_8601",
                "Input should be written in ISO 8601, e.g. {example}, not a number",
                {"example": example},
            )
        return value

    return BeforeValidator(check)


IsoDateTime = Annotated[datetime.datetime, _refuse_numbers("2026-11-20T14:05:00Z")]
IsoDate = Annotated[datetime.date, _refuse_numbers("2026-11-20")]
