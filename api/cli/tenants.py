"""`doorstep tenant import FILE`: load tenants from a housing-management export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.settings import get_settings
from bot.spreadsheet import neutralise
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.tenants.importer import import_tenants
from bot.tenants.rows import Problem
from bot.tenants.table import TableError

app = typer.Typer(help="Tenants: import from the housing management system.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
SHOWN_PROBLEMS = 50


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, fed with (done, total)."""
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_problems(problems: Sequence[Problem], report: Path | None) -> None:
    """Errors and warnings by row; all of them in `report` (CSV) when asked."""
    for problem in problems[:SHOWN_PROBLEMS]:
        style = "red" if problem.error else "yellow"
        label = "error" if problem.error else "warning"
        err.print(f"[{style}]{label}[/]: ", end="")
        err.print(str(problem), markup=False)
    if len(problems) > SHOWN_PROBLEMS and report is None:
        err.print(
            f"… and {len(problems) - SHOWN_PROBLEMS} more; add --report problems.csv to get "
            "them all."
        )
    if report is not None:
        with report.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "severity", "message"])
            for problem in problems:
                severity = "error" if problem.error else "warning"
                writer.writerow([problem.row or "", severity, neutralise(problem.message)])
        err.print(f"All {len(problems)} problem(s) were written to {report}.")


def open_database() -> Database:
    database = Database(get_settings().database_url)
    database.create_schema()
    return database


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx export, one tenant per row.")],
    sheet: Annotated[str | None, typer.Option(help="Worksheet name (default: the first).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row but save nothing.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write every error and warning to this CSV file.")
    ] = None,
) -> None:
    """Add or update tenants by tenant reference; blank cells never clear stored values."""
    settings = get_settings()
    database = open_database()
    try:
        with progress_bar("Importing tenants") as update:
            summary = import_tenants(
                database,
                file,
                now=utcnow(),
                region=settings.sms_default_region,
                default_timezone=settings.timezone,
                sheet=sheet,
                dry_run=dry_run,
                on_progress=update,
            )
    except TableError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    print_problems(summary.problems, report)
    (err if summary.errors else out).print(summary.line(), markup=False)
    raise typer.Exit(1 if summary.errors else 0)
