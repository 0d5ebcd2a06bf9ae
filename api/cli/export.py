"""`doorstep export`: responses of one questionnaire as CSV, XLSX, Parquet or SPSS .sav.

    doorstep export --questionnaire post_repair --format sav --output out.sav
    doorstep export -q tsm_perception -f csv -o tsm.csv --channel sms --completed \
        --codebook tsm-codebook.json

Imports only typer and rich at start-up (pandas loads when the command runs), so
`api/cli/main.py` can register it without slowing every other command. The export is written
to the audit log as done by "cli:<operating-system user>".
"""

from __future__ import annotations

import datetime
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli.numbers import whole_number

if TYPE_CHECKING:  # pandas and the service load when the command runs, not at start-up
    from analysis.exports import ExportFilters, ExportTable, Format
    from bot.service import Service

err = Console(stderr=True, highlight=False, soft_wrap=True)
DAY = ["%Y-%m-%d"]


def operator_name() -> str:
    """Who runs the command, as the audit log names them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return "cli"


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return value.date() if value is not None else None


# The command's options, declared once here so its signature reads as a list.
QuestionnaireOpt = Annotated[
    str, typer.Option("--questionnaire", "-q", help="Questionnaire id, e.g. post_repair.")
]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="File to write.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, parquet or sav (SPSS).")]
IdentifiableOpt = Annotated[
    bool, typer.Option(help="Include names, tenant references and free text.")
]
VersionOpt = Annotated[str | None, typer.Option(help="Only this questionnaire version.")]
CampaignOpt = Annotated[
    int | None,
    whole_number("--campaign", "campaign number", 3, help="Only this campaign's sessions."),
]
DateFromOpt = Annotated[
    datetime.datetime | None, typer.Option(formats=DAY, help="First day (UTC), YYYY-MM-DD.")
]
DateToOpt = Annotated[
    datetime.datetime | None, typer.Option(formats=DAY, help="Last day, inclusive.")
]
ChannelOpt = Annotated[str | None, typer.Option(help="sms, whatsapp, telegram or webchat.")]
LanguageOpt = Annotated[str | None, typer.Option(help="Language code, e.g. cy.")]
SegmentOpt = Annotated[str | None, typer.Option(help="Segment code or label.")]
CompletedOpt = Annotated[
    bool | None, typer.Option("--completed/--unfinished", help="Only (un)finished ones.")
]
CodebookOpt = Annotated[Path | None, typer.Option(help="Also write the codebook (.json or .csv).")]


def export_command(
    questionnaire: QuestionnaireOpt,
    output: OutputOpt,
    fmt: FormatOpt = "csv",
    identifiable: IdentifiableOpt = False,
    version: VersionOpt = None,
    campaign: CampaignOpt = None,
    date_from: DateFromOpt = None,
    date_to: DateToOpt = None,
    channel: ChannelOpt = None,
    language: LanguageOpt = None,
    segment: SegmentOpt = None,
    completed: CompletedOpt = None,
    codebook: CodebookOpt = None,
) -> None:
    """Export responses (pseudonymised unless --identifiable), with a progress bar."""
    from analysis.exports import ExportFilters, FilterError
    from bot.service import build_service
    from bot.settings import get_settings

    checked = _checked_format(fmt, codebook)
    for path, what in ((output, "export"), (codebook, "codebook")):
        _check_writable(path, what)
    filters = ExportFilters(
        questionnaire, version, campaign, _day(date_from), _day(date_to), channel, language,
        segment, completed,
    )  # fmt: skip
    service = build_service(get_settings())
    try:
        export = _export(service, filters, checked, identifiable, output)
        if codebook is not None:
            _write_codebook(export, codebook)
    except FilterError as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(1) from None
    except OSError as problem:  # e.g. no permission, or the disk is full
        err.print(f"Could not write {problem.filename or output}: {problem.strerror}.",
                  markup=False)  # fmt: skip
        raise typer.Exit(1) from None
    finally:
        service.database.dispose()
    kind = "identifiable" if identifiable else "pseudonymised"
    err.print(f"Wrote {export.rows:,} {kind} responses to {output}.", markup=False)


def _checked_format(fmt: str, codebook: Path | None) -> Format:
    from analysis.exports import FORMATS

    if fmt not in FORMATS:
        err.print(f"{fmt!r} is not an export format; use one of: {', '.join(FORMATS)}.")
        raise typer.Exit(2)
    if codebook is not None and codebook.suffix not in (".json", ".csv"):
        err.print("The codebook file must end in .json or .csv.")
        raise typer.Exit(2)
    return fmt


def _check_writable(path: Path | None, what: str) -> None:
    """Say which folder is missing before anything is read (exit 2, like a bad option)."""
    if path is None:
        return
    folder = path.parent
    if path.is_dir():
        err.print(f"{path} is a folder; give a file name for the {what}, e.g. {path / 'out'}.",
                  markup=False)  # fmt: skip
        raise typer.Exit(2)
    if not folder.is_dir():
        err.print(f"The folder {folder} for the {what} does not exist; create it first "
                  f"(mkdir -p {folder}) or choose another file.", markup=False)  # fmt: skip
        raise typer.Exit(2)


def _export(
    service: Service, filters: ExportFilters, fmt: Format, identifiable: bool, output: Path
) -> ExportTable:
    """Read, audit, then write the export, showing progress on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from analysis.exports import build_export, write_export
    from analysis.frames.sql import reading
    from bot.access.audit import audit
    from bot.access.users import Principal, Role

    # Read first, with no bar: a bad filter or unknown questionnaire is then the only line.
    with reading(service.database) as connection:
        export = build_export(
            connection, filters=filters, identifiable=identifiable,
            secret=service.settings.secret_key.get_secret_value(),
            registry=service.registry,
        )  # fmt: skip
    # Recorded before the file is written: a failed write over-reports, never hides.
    principal = Principal("cli", 0, operator_name(), Role.ADMIN, True)  # type: ignore[arg-type]
    details = {**filters.as_json(), "format": fmt, "identifiable": identifiable}
    with service.database.engine.begin() as connection:
        audit(connection, principal, "export", "responses", details, export.rows)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
    ) as progress:  # fmt: skip
        task = progress.add_task(f"Writing {output.name}", total=export.rows)
        write_export(export, fmt, output,
                     lambda rows: progress.advance(task, rows))  # fmt: skip
        progress.update(task, completed=export.rows)
    return export


def _write_codebook(export: ExportTable, codebook: Path) -> None:
    from analysis.exports import codebook_csv, codebook_json

    if codebook.suffix == ".json":
        text = json.dumps(codebook_json(export), ensure_ascii=False, indent=2)
    else:
        text = codebook_csv(export)
    codebook.write_text(text, encoding="utf-8")
