"""`doorstep i18n extract|update|compile|check`: look after the translation catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.i18n import catalogs
from bot.i18n.languages import LANGUAGES
from bot.questionnaire.compiler import compile_file
from bot.questionnaire.registry import questionnaire_files
from bot.settings import get_settings

app = typer.Typer(help="Translation catalogs for system strings.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
LocalesOption = Annotated[Path | None, typer.Option(help="The locales folder.")]


def _locales(locales: Path | None) -> Path:
    return locales or get_settings().locales_dir


@app.command()
def extract(locales: LocalesOption = None) -> None:
    """Collect every marked string from the code into locales/doorstep.pot."""
    template = catalogs.extract(_locales(locales))
    out.print(f"{len(template)} strings written to {catalogs.template_path(_locales(locales))}.")


@app.command()
def update(locales: LocalesOption = None) -> None:
    """Merge new strings from the template into every language's catalog."""
    for path in catalogs.update(_locales(locales), OTHER_LANGUAGES):
        out.print(f"updated {path}")


@app.command("compile")
def compile_catalogs(locales: LocalesOption = None) -> None:
    """Write .mo files (optional: Doorstep reads the .po files directly)."""
    for path in catalogs.compile_catalogs(_locales(locales), OTHER_LANGUAGES):
        out.print(f"compiled {path}")


@app.command()
def check(
    locales: LocalesOption = None,
    questionnaires: Annotated[Path | None, typer.Option(help="Questionnaire folder.")] = None,
) -> None:
    """Every language complete? Shows catalogs and questionnaires with their review status."""
    folder = _locales(locales)
    problems = 0
    table = Table(title="System strings (locales/)")
    for column in ("language", "translated", "fuzzy", "status"):
        table.add_column(column)
    for status in catalogs.check(folder, list(LANGUAGES)):
        name = LANGUAGES[status.language].english_name
        if not status.complete:
            problems += 1
        table.add_row(
            f"{status.language} {name}",
            f"{status.translated}/{status.total}" if status.exists else "no catalog",
            str(status.fuzzy),
            status.status if status.complete else f"[red]incomplete ({status.status})[/]",
        )
    out.print(table)
    problems += _check_questionnaires(questionnaires or get_settings().questionnaires_dir)
    if problems:
        out.print(
            f"[red]{problems} problem(s): translate the missing strings before going live.[/]"
        )
        raise typer.Exit(1)
    out.print(
        "Every catalog and questionnaire is complete. Have drafts reviewed before going live."
    )


def _check_questionnaires(folder: Path) -> int:
    table = Table(title="Questionnaires")
    table.add_column("questionnaire")
    table.add_column("languages (status)")
    problems = 0
    for path in questionnaire_files([folder]):
        result = compile_file(path)
        missing = [p for p in result.problems if "has no" in p.message and "text" in p.message]
        problems += len(missing) + (0 if result.questionnaire else 1)
        if result.questionnaire is None:
            table.add_row(path.name, "[red]invalid: run doorstep validate[/]")
            continue
        statuses = ", ".join(f"{c} ({s})" for c, s in result.questionnaire.languages.items())
        if missing:
            statuses += f" [red]{len(missing)} missing string(s)[/]"
        absent = [code for code in LANGUAGES if code not in result.questionnaire.languages]
        if absent:
            problems += 1
            statuses += f" [red]not yet in: {', '.join(absent)}[/]"
        table.add_row(result.questionnaire.id, statuses)
    out.print(table)
    return problems
