"""One spreadsheet row -> one validated tenant record, or the reasons it was refused.

Blank cells mean "not known here", never "clear it": they produce no value at all, so an
import can only add or change what it states.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.i18n.languages import LANGUAGES
from bot.tenants import values
from bot.tenants.columns import ATTRIBUTE_PREFIX, ColumnMap
from bot.tenants.table import Row


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: about the whole file
    message: str
    error: bool = True  # an error keeps the row out; a warning only informs

    def __str__(self) -> str:
        where = f"Row {self.row}: " if self.row is not None else ""
        return f"{where}{self.message}"


@dataclass
class TenantRecord:
    row: int
    tenant_ref: str
    name: str | None = None
    language: str | None = None  # only one Doorstep can survey in
    timezone: str | None = None
    phones: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)


# Profile attributes straight from one column: field -> (attribute, reader).
_SIMPLE: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "preferred_channel": ("preferred_channel", values.preferred_channel),
    "tenure": ("tenure", values.tenure),
    "email": ("email", values.email),
    "estate": ("estate", lambda cell: values.text(cell, 200, "estate")),
    "area": ("area", lambda cell: values.text(cell, 200, "area")),
    "nation": ("nation", lambda cell: values.text(cell, 32, "nation")),
    "postcode": ("postcode", lambda cell: values.text(cell, 16, "postcode").upper()),
    "household_size": (
        "household_size",
        lambda cell: values.whole_number(cell, 1, 30, "household size"),
    ),
    "children_under_16": (
        "children_under_16",
        lambda cell: values.whole_number(cell, 0, 20, "number of children"),
    ),
}


def read_row(
    row: Row, columns: ColumnMap, region: str, today: datetime.date | None = None
) -> tuple[TenantRecord | None, list[Problem]]:
    """`today` dates a date of birth into an age band (default: the machine's date)."""

    def cell(name: str) -> Any:
        position = columns.first(name)
        return "" if position is None else row.cells[position]

    try:
        record = TenantRecord(row.number, values.reference(cell("tenant_ref")))
    except ValueError as error:
        return None, [Problem(row.number, str(error))]

    def at(*names: str) -> int:
        found = [position for name in names if (position := columns.first(name)) is not None]
        return min(found, default=len(row.cells))

    parts = [cell("first_name"), cell("last_name")]
    # (column position, field, cell): read left to right, so problems come in column order.
    steps: list[tuple[int, str, Any]] = [
        (
            at("name", "first_name", "last_name"),
            "name",
            cell("name") or " ".join(str(part) for part in parts if part != ""),
        ),
        (at("address", "address_line"), "address", _address_text(row, columns)),
    ]
    steps += [
        (at(name), name, cell(name)) for name in (*_SIMPLE, "language", "timezone", "date_of_birth")
    ]
    steps += [(spot, "phone", row.cells[spot]) for spot in columns.fields.get("phone", [])]
    steps += [
        (position, ATTRIBUTE_PREFIX + attribute, row.cells[position])
        for attribute, position in columns.attributes.items()
    ]
    steps.sort(key=lambda step: step[0])
    problems: list[Problem] = []
    for position, name, raw in steps:
        if raw == "":
            continue
        try:
            _read_field(record, name, raw, region, problems, today)
        except ValueError as error:
            problems.append(_located(row.number, columns.header(position), name, raw, error))
    if any(problem.error for problem in problems):
        return None, problems
    return record, problems


# Optional fields whose problem leaves the rest of the row good: a warning, not an error.
FORGIVEN = frozenset({"preferred_channel", "phone", "date_of_birth"})
# Never repeated in a problem: problems reach terminals, CSV reports and CI logs.
PERSONAL = frozenset({"name", "address", "email", "phone", "date_of_birth"})


def _located(row: int, header: str, name: str, raw: Any, error: ValueError) -> Problem:
    """The problem naming the column and quoting the value (unless it is personal)."""
    where = f'Column "{header}"' if header else "A column"
    if name in PERSONAL:
        where += " (the value is personal data, so it is not repeated here)"
    else:
        shown = str(raw) if len(str(raw)) <= 60 else str(raw)[:57] + "..."
        where += f' has "{shown}"'
    if name in FORGIVEN:
        return Problem(row, f"{where}: {error} It was left out; the rest of the row was imported.",
                       error=False)  # fmt: skip
    return Problem(row, f"{where}: {error}")


def _read_field(
    record: TenantRecord,
    name: str,
    raw: Any,
    region: str,
    problems: list[Problem],
    today: datetime.date | None,
) -> None:
    if name in _SIMPLE:
        attribute, reader = _SIMPLE[name]
        record.profile[attribute] = reader(raw)
    elif name.startswith(ATTRIBUTE_PREFIX):
        record.profile[name.removeprefix(ATTRIBUTE_PREFIX)] = values.attribute_value(raw)
    elif name == "name":
        record.name = values.text(raw, 200, "name")
    elif name == "address":
        record.profile["address"] = values.text(raw, 300, "address")
    elif name == "timezone":
        record.timezone = values.timezone(raw)
    elif name == "language":
        _read_language(record, raw, problems)
    elif name == "phone":
        _add_phones(record, raw, region, problems)
    elif name == "date_of_birth":
        # Only the year and the age band are kept, never the full date.
        year, band = values.age_from_birth(raw, today or datetime.date.today())
        record.profile["year_of_birth"] = year
        record.profile["age_band"] = band


def _read_language(record: TenantRecord, raw: Any, problems: list[Problem]) -> None:
    code, other = values.language(raw)
    record.profile["language"] = code
    if code in LANGUAGES:
        record.language = code
    elif other is not None:
        record.profile["language_other"] = other
        problems.append(
            Problem(
                record.row,
                f"The language {other!r} is not one Doorstep knows; it was recorded as "
                "language_other and the tenant will be asked in the default language.",
                error=False,
            )
        )


def _address_text(row: Row, columns: ColumnMap) -> str:
    single = columns.first("address")
    if single is not None and row.cells[single] != "":
        return str(row.cells[single])
    parts = [row.cells[position] for position in columns.fields.get("address_line", [])]
    return ", ".join(str(part) for part in parts if part != "")


def _add_phones(record: TenantRecord, raw: Any, region: str, problems: list[Problem]) -> None:
    for number, landline in values.phones(raw, region):
        if landline:
            problems.append(
                Problem(
                    record.row,
                    "A landline number cannot receive text messages, so it was not imported.",
                    error=False,
                )
            )
        elif number not in record.phones:
            record.phones.append(number)
