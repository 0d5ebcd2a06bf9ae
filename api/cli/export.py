"""`doorstep export`: responses of one questionnaire as CSV, XLSX, Parquet or SPSS .sav.

    doorstep export --questionnaire post_repair --format sav --output out.sav
    doorstep export -q tsm_perception -f csv -o tsm.csv --channel sms --completed \
        --codebook tsm-codebook.json

Imports only typer and rich at start-up (pandas loads when the command runs), so
`bot/cli.py` can register it without slowing every other command. The export is written
to the audit log as done by "cli:<operating-system user>".
"""

from __future__ import annotations

import datetime
import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)
DAY = ["%Y-%m-%d"]


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return "cli"


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return value.date() if value is not None else None


def export_command(
    questionnaire: Annotated[
        str, typer.Option("--questionnaire", "-q", help="Questionnaire id, e.g. post_repair.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, xlsx, parquet or sav (SPSS).")
    ] = "csv",
    identifiable: Annotated[
        bool, typer.Option(help="Include names, tenant references and free text.")
    ] = False,
    version: Annotated[str | None, typer.Option(help="Only this questionnaire version.")] = None,
    campaign: Annotated[int | None, typer.Option(help="Only this campaign's sessions.")] = None,
    date_from: Annotated[
        datetime.datetime | None, typer.Option(formats=DAY, help="First day (UTC), YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[
        datetime.datetime | None, typer.Option(formats=DAY, help="Last day, inclusive.")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="sms, telegram or webchat.")] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. cy.")] = None,
    segment: Annotated[str | None, typer.Option(help="Segment code or label.")] = None,
    completed: Annotated[
        bool | None, typer.Option("--completed/--unfinished", help="Only (un)finished ones.")
    ] = None,
    codebook: Annotated[
        Path | None, typer.Option(help="Also write the codebook (.json or .csv).")
    ] = None,
) -> None:
    """Export responses (pseudonymised unless --identifiable), with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from analysis.exports import (
        FORMATS,
        ExportFilters,
        FilterError,
        build_export,
        codebook_csv,
        codebook_json,
        write_export,
    )

    if fmt not in FORMATS:
        err.print(f"{fmt!r} is not an export format; use one of: {', '.join(FORMATS)}.")
        raise typer.Exit(2)
    if codebook is not None and codebook.suffix not in (".json", ".csv"):
        err.print("The codebook file must end in .json or .csv.")
        raise typer.Exit(2)
    filters = ExportFilters(
        questionnaire, version, campaign, _day(date_from), _day(date_to), channel, language,
        segment, completed,
    )  # fmt: skip
    from analysis.frames.sql import reading
    from bot.access.audit import audit
    from bot.access.users import Principal, Role
    from bot.service import build_service
    from bot.settings import get_settings

    service = build_service(get_settings())
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
        ) as progress:  # fmt: skip
            task = progress.add_task("Reading responses", total=None)
            with reading(service.database) as connection:
                export = build_export(
                    connection, filters=filters, identifiable=identifiable,
                    secret=service.settings.secret_key.get_secret_value(),
                    registry=service.registry,
                )  # fmt: skip
            # Recorded before the file is written: a failed write over-reports, never hides.
            principal = Principal("cli", 0, _operator(), Role.ADMIN, True)  # type: ignore[arg-type]
            details = {**filters.as_json(), "format": fmt, "identifiable": identifiable}
            with service.database.engine.begin() as connection:
                audit(connection, principal, "export", "responses", details, export.rows)
            progress.update(task, description=f"Writing {output.name}", total=export.rows,
                            completed=0)  # fmt: skip
            write_export(export, fmt, output,
                         lambda rows: progress.advance(task, rows))  # fmt: skip
            progress.update(task, completed=export.rows)
        if codebook is not None:
            text: Any = codebook_csv(export)
            if codebook.suffix == ".json":
                import json

                text = json.dumps(codebook_json(export), ensure_ascii=False, indent=2)
            codebook.write_text(text, encoding="utf-8")
    except FilterError as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(1) from None
    finally:
        service.database.dispose()
    kind = "identifiable" if identifiable else "pseudonymised"
    err.print(f"Wrote {export.rows:,} {kind} responses to {output}.", markup=False)
