"""Upserting tenants from a housing-management export, by tenant reference.

Each batch of rows is one transaction (see `bot.tenants.writer`). Everything is compared
with what is stored before anything is written, so importing the same file again writes
nothing; a blank cell never clears a stored value; a profile value that changes keeps the
old one as history (source `import:<file name>`); a phone number that belongs to another
tenant is never moved.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.storage.db import Database
from bot.tenants.columns import ALIASES, ColumnMap, map_columns
from bot.tenants.rows import Problem, TenantRecord, read_row
from bot.tenants.table import Table, TableError, read_table
from bot.tenants.writer import BatchWriter

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.error]

    def line(self) -> str:
        verb = "Checked" if self.dry_run else "Read"
        text = (
            f"{verb} {self.rows} row(s): {self.created} new tenant(s), {self.updated} "
            f"updated, {self.unchanged} unchanged"
        )
        if self.refused:
            text += f"; {self.refused} row(s) with errors were not imported"
        if self.dry_run:
            text += " (dry run: nothing was saved)"
        return text + "."


def import_tenants(
    database: Database,
    path: Path,
    *,
    now: datetime.datetime,
    region: str = "GB",
    default_timezone: str = "Europe/London",
    sheet: str | None = None,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import every valid row; raises `TableError` when the file cannot be used at all."""
    sheet_table = read_table(path, sheet)
    columns = map_columns(sheet_table.headers)
    if columns.first("tenant_ref") is None:
        raise TableError(
            f"{path.name} has no tenant reference column; name one of its columns "
            f"{', '.join(repr(alias) for alias in ('Tenant Ref', 'Tenant Reference'))} "
            f"(also accepted: {', '.join(ALIASES['tenant_ref'][2:6])})."
        )
    summary = ImportSummary(rows=len(sheet_table.rows), dry_run=dry_run)
    summary.problems.extend(_column_notes(columns))
    records = _valid_records(sheet_table, columns, region, summary, now.date())
    source = f"import:{path.name}"[:128]
    done = summary.refused
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        done = _write_batch(database, batch, source, now, default_timezone, summary, done,
                            on_progress)  # fmt: skip
    if on_progress is not None:
        on_progress(summary.rows, summary.rows)
    summary.problems.sort(key=lambda problem: problem.row or 0)
    logger.info(
        "tenant import %s: %d row(s), %d new, %d updated, %d unchanged, %d refused",
        "checked" if dry_run else "done",
        summary.rows, summary.created, summary.updated, summary.unchanged, summary.refused,
    )  # fmt: skip
    return summary


def _column_notes(columns: ColumnMap) -> list[Problem]:
    """Warnings about columns the import could not use."""
    notes = []
    if columns.ignored:
        notes.append(
            Problem(
                None,
                "These columns were not recognised and were ignored: "
                + ", ".join(columns.ignored)
                + ". Prefix a column with 'attr:' to import it as a profile attribute.",
                error=False,
            )
        )
    for header in columns.duplicated:
        notes.append(
            Problem(None, f"The column {header!r} repeats an earlier one and was ignored.", False)
        )
    return notes


def _valid_records(
    sheet_table: Table,
    columns: ColumnMap,
    region: str,
    summary: ImportSummary,
    today: datetime.date,
) -> list[TenantRecord]:
    """The rows that read cleanly, each tenant reference once (the first row wins)."""
    first_seen: dict[str, int] = {}
    records: list[TenantRecord] = []
    for row in sheet_table.rows:
        record, problems = read_row(row, columns, region, today)
        summary.problems.extend(problems)
        if record is not None and record.tenant_ref in first_seen:
            summary.problems.append(
                Problem(
                    row.number,
                    f"The tenant reference {record.tenant_ref} is also on row "
                    f"{first_seen[record.tenant_ref]}; only that first row was imported.",
                )
            )
            record = None
        if record is None:
            summary.refused += 1
            continue
        first_seen[record.tenant_ref] = row.number
        records.append(record)
    return records


def _write_batch(
    database: Database,
    batch: list[TenantRecord],
    source: str,
    now: datetime.datetime,
    default_timezone: str,
    summary: ImportSummary,
    done: int,
    on_progress: Callable[[int, int], None] | None,
) -> int:
    """One transaction per batch (rolled back on a dry run); returns the rows done so far."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        writer = BatchWriter(connection, source, now, default_timezone)
        for outcome in writer.write(batch):
            summary.problems.extend(outcome.problems)
            if outcome.created:
                summary.created += 1
            elif outcome.changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
            done += 1
            if on_progress is not None:
                on_progress(done, summary.rows)
        if summary.dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return done
