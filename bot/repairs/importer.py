"""`doorstep repair import FILE`: "repair completed" events from a CSV or XLSX export.

Each row goes through the same checks and the same idempotent insert as the API, so a file
imported twice, or a job both posted and imported, gives one survey.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from bot.repairs.events import parse_event, record_event
from bot.settings import Settings
from bot.storage.db import Database
from bot.tenants.columns import ALIASES as TENANT_ALIASES
from bot.tenants.rows import Problem
from bot.tenants.table import Row, TableError, header_key, read_table

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
COLUMNS: dict[str, tuple[str, ...]] = {
    "job_id": (
        "jobid", "jobref", "jobreference", "jobnumber", "jobno", "job", "workorder",
        "workorderid", "workordernumber", "repairid", "repairref", "repairnumber", "orderno",
    ),
    "tenant_ref": TENANT_ALIASES["tenant_ref"],
    "completed_at": (
        "completedat", "completed", "completiondate", "completeddate", "datecompleted",
        "completedon", "completiontime", "dateofcompletion", "completeddatetime",
    ),
    "trade": ("trade", "tradecode", "tradetype", "jobtype"),
    "contractor": ("contractor", "contractorname", "supplier", "suppliername"),
    "priority": ("priority", "prioritycode", "urgency"),
}  # fmt: skip
REQUIRED = ("job_id", "tenant_ref", "completed_at")
UK_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y")


@dataclass
class RepairImportSummary:
    rows: int = 0
    scheduled: int = 0
    skipped: int = 0
    duplicates: int = 0
    refused: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def line(self) -> str:
        verb, would = ("Checked", "would be ") if self.dry_run else ("Read", "")
        text = (
            f"{verb} {self.rows} repair(s): {self.scheduled} survey(s) {would}scheduled, "
            f"{self.duplicates} already known, {self.skipped} skipped"
        )
        if self.refused:
            were = "would not be" if self.dry_run else "were not"
            text += f"; {self.refused} row(s) with errors {were} imported"
        return text + (" (dry run: nothing was saved)." if self.dry_run else ".")


def read_moment(value: Any) -> Any:
    """Excel datetimes pass through; text in ISO 8601 or UK day-first order is parsed."""
    if isinstance(value, datetime.datetime) or not isinstance(value, str | datetime.date):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in UK_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern)
        except ValueError:
            continue
    return value  # left for the event check to report


def _import_row(
    connection: Connection,
    row: Row,
    positions: dict[str, int],
    summary: RepairImportSummary,
    settings: Settings,
    now: datetime.datetime,
    source: str,
) -> None:
    data = {name: row.cells[position] for name, position in positions.items()}
    data = {name: value for name, value in data.items() if value != ""}
    if "completed_at" in data:
        data["completed_at"] = read_moment(data["completed_at"])
    try:
        event = parse_event(data, settings, now)
    except ValueError as error:
        summary.problems.append(Problem(row.number, str(error)))
        summary.refused += 1
        return
    accepted = record_event(connection, event, settings=settings, now=now, source=source)
    if accepted.status == "scheduled":
        summary.scheduled += 1
    elif accepted.status == "duplicate":
        summary.duplicates += 1
    else:
        summary.skipped += 1
        summary.problems.append(
            Problem(row.number, f"Not surveyed: {accepted.reason}", error=False)
        )


def import_repairs(
    database: Database,
    path: Path,
    *,
    settings: Settings,
    now: datetime.datetime,
    sheet: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
) -> RepairImportSummary:
    """Schedule a follow-up per completed job; `dry_run` checks every row and saves nothing."""
    table_ = read_table(path, sheet)
    positions: dict[str, int] = {}
    for position, header in enumerate(table_.headers):
        key = header_key(header)
        for name, aliases in COLUMNS.items():
            if key in aliases and name not in positions:
                positions[name] = position
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise TableError(
            f"{path.name} has no column for: {', '.join(missing)}. Name the columns "
            "Job ID, Tenant Ref and Completed At (other spellings are accepted)."
        )
    summary = RepairImportSummary(rows=len(table_.rows), dry_run=dry_run)
    source = f"import:{path.name}"
    with database.engine.connect() as connection:
        # A dry run checks every row in one transaction (so a job repeated further down is
        # still found) and rolls it back; a real import commits batch by batch.
        whole = connection.begin() if dry_run else None
        for start in range(0, len(table_.rows), BATCH_SIZE):
            batch = table_.rows[start : start + BATCH_SIZE]
            with nullcontext() if whole is not None else connection.begin():
                for row in batch:
                    _import_row(connection, row, positions, summary, settings, now, source)
            if on_progress is not None:
                on_progress(min(start + BATCH_SIZE, summary.rows), summary.rows)
        if whole is not None:
            whole.rollback()
    logger.info(
        "repair import: %d row(s), %d scheduled, %d skipped, %d known, %d refused",
        summary.rows, summary.scheduled, summary.skipped, summary.duplicates, summary.refused,
    )  # fmt: skip
    return summary
