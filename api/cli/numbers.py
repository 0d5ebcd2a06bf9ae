"""Number options that answer a wrong value with one sentence in Doorstep's voice.

Typer checks an `int` option with pydantic and prints "Invalid value for '--tenants': Input
should be a valid integer, unable to parse string as an integer" in a box under the usage
line. An option declared with `whole_number` reads the value itself and, when it is not a
whole number in range, prints "The number of tenants must be a whole number, 1 or more: write
it like --tenants 2000." and exits 2, like every other command given wrongly.
`decimal_number` does the same for a number that may have decimals, such as a rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NoReturn

import typer
from rich.console import Console

from bot.fields.errors import Named

err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class WholeNumber:
    """Typer's `parser` for one option: the value as an int, or the sentence and exit 2."""

    flag: str  # as typed, e.g. --tenants
    name: str  # as people call it, e.g. "number of tenants"
    example: int  # a value that works, shown in the sentence
    at_least: int | None = None
    at_most: int | None = None

    def __call__(self, value: object) -> int:
        if isinstance(value, int):  # the default arrives already a number
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self._refuse()
        if (self.at_least is not None and number < self.at_least) or (
            self.at_most is not None and number > self.at_most
        ):
            self._refuse()
        return number

    def sentence(self) -> str:
        return f"The {self.name} must be {self._rule()}: write it like {self.flag} {self.example}."

    def _rule(self) -> str:
        low, high = self.at_least, self.at_most
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        if low is not None:
            return f"a whole number, {low} or more"
        if high is not None:
            return f"a whole number, {high} or less"
        return "a whole number"

    def _refuse(self) -> NoReturn:
        _refuse(self.sentence())


def _refuse(sentence: str) -> NoReturn:
    err.print(sentence, markup=False)
    raise typer.Exit(2)


def whole_number(
    flag: str,
    name: str,
    example: int,
    *,
    help: str,
    at_least: int | None = None,
    at_most: int | None = None,
) -> Any:
    """A `typer.Option` for a whole number; `min`/`max` are given too so --help shows them."""
    check = WholeNumber(flag, name, example, at_least, at_most)
    return typer.Option(flag, parser=check, min=at_least, max=at_most, help=help)


def whole_field(flag: str, field: Named, help: str) -> Any:
    """A whole-number option for a field a model also checks (a campaign's reminders, say):
    named as the model's problems name it; its limits stay with the model, so a file and the
    options get the same sentences."""
    return whole_number(flag, field.name, int(field.example or 1), help=help)


@dataclass(frozen=True)
class DecimalNumber:
    """Typer's `parser` for an option that may have decimals, such as a rate or a number of
    seconds; with `percent`, "30%" reads as 0.3. Above `above`, at most `at_most`."""

    flag: str
    name: str
    example: str
    above: float | None = None
    at_most: float | None = None
    percent: bool = False

    def __call__(self, value: object) -> float:
        if isinstance(value, int | float):  # the default arrives already a number
            return float(value)
        text = str(value).strip()
        scale = 1.0
        if self.percent and text.endswith("%"):
            text, scale = text[:-1].strip(), 0.01
        try:
            number = float(text) * scale
        except ValueError:
            self._refuse()
        too_low = self.above is not None and number <= self.above
        too_high = self.at_most is not None and number > self.at_most
        if math.isnan(number) or too_low or too_high:
            self._refuse()
        return number

    def sentence(self) -> str:
        rule = "a number"
        if self.above is not None and self.at_most is not None:
            rule = f"a number above {self.above:g} and at most {self.at_most:g}"
        elif self.above is not None:
            rule = f"a number above {self.above:g}"
        if self.percent:
            rule += " (or a percentage)"
        return f"The {self.name} must be {rule}: write it like {self.flag} {self.example}."

    def _refuse(self) -> NoReturn:
        _refuse(self.sentence())


def decimal_number(
    flag: str,
    name: str,
    example: str,
    *,
    help: str,
    above: float | None = None,
    at_most: float | None = None,
    percent: bool = False,
) -> Any:
    """A `typer.Option` for a number that may have decimals (see `DecimalNumber`)."""
    check = DecimalNumber(flag, name, example, above, at_most, percent)
    return typer.Option(flag, parser=check, help=help)
