"""The `doorstep` command: validate, simulate, serve and look after the database."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.questionnaire.compiler import compile_file
from bot.questionnaire.problems import Severity
from bot.questionnaire.registry import questionnaire_files
from bot.settings import get_settings

app = typer.Typer(
    help="Doorstep: conversational surveys for social-housing landlords.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Look after the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Questionnaire files or folders.")
    ] = None,
) -> None:
    """Check questionnaires and print every problem as file:line:col: question: what — fix."""
    settings = get_settings()
    files = questionnaire_files(paths or [settings.questionnaires_dir])
    if not files:
        err.print("No questionnaire files (*.yaml) found in the paths given.")
        raise typer.Exit(1)
    errors = warnings = 0
    for path in files:
        result = compile_file(path, landlord_name=settings.landlord_name)
        for problem in result.problems:
            print(str(problem))
            if problem.severity is Severity.ERROR:
                errors += 1
            else:
                warnings += 1
        if result.questionnaire is not None:
            q = result.questionnaire
            statuses = ", ".join(f"{code} ({status})" for code, status in q.languages.items())
            out.print(f"{path}: {q.id} {q.version}, {len(q.questions)} questions; {statuses}")
    summary = f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)."
    (err if errors else out).print(summary)
    raise typer.Exit(1 if errors else 0)


@app.command()
def simulate(
    questionnaire: Annotated[str, typer.Argument(help="Questionnaire id, e.g. post_repair.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language code, e.g. cy.")] = None,
    address: Annotated[str, typer.Option(help="Who you are pretending to be.")] = "terminal-1",
) -> None:
    """Answer a questionnaire in the terminal, through the real engine and database."""
    from bot.simulate import run_simulation

    run_simulation(questionnaire, language=lang, address=address)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the web service (webhooks, web chat, API) with the scheduler in-process."""
    import uvicorn

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from bot.storage.db import Database

    settings = get_settings()
    database = Database(settings.database_url)
    database.create_schema()
    out.print("The database schema is up to date.")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Stopped.")
        sys.exit(130)
