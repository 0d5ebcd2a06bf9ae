"""`doorstep serve` and `doorstep db upgrade`: check the database first, then say what to open."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from api.cli.numbers import whole_number
from api.cli.versions import stored_changes
from bot.access.setup import SETUP_LINK_LIFETIME, issue_setup_token
from bot.questionnaire.problems import QuestionnaireInvalid
from bot.questionnaire.registry import QuestionnaireRegistry, changed_sentence
from bot.settings import Settings, get_settings, package_version
from bot.storage.db import Database
from bot.storage.health import DatabaseUnavailable, check_usable
from bot.storage.models import utcnow

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
ALL_INTERFACES = {"0.0.0.0", "::", ""}  # noqa: S104 - only compared with, never bound here


def usable_database(settings: Settings) -> None:
    """Migrate and probe the database; on failure say why in one sentence and exit 1."""
    database = Database(settings.database_url)
    try:
        check_usable(database)
    except DatabaseUnavailable as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(1) from None
    finally:
        database.dispose()


def usable_questionnaires(settings: Settings) -> None:
    """Exit 1 with one sentence per file that is broken or was edited under an old version."""
    try:
        registry = QuestionnaireRegistry.from_directory(
            settings.questionnaires_dir, settings.landlord_name
        )
    except QuestionnaireInvalid as invalid:
        files = sorted({problem.file for problem in invalid.problems if problem.file})
        err.print(
            f"{', '.join(files) or settings.questionnaires_dir} has problems: "
            "run doorstep validate to see each one with its line, fix them and start again.",
            markup=False,
        )
        raise typer.Exit(1) from None
    changed = stored_changes(settings, registry.all())
    for questionnaire in changed:
        err.print(changed_sentence(questionnaire), markup=False)
    if changed:
        raise typer.Exit(1)


def base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ALL_INTERFACES else host
    if ":" in shown:  # an IPv6 address goes in brackets in a URL
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def addresses(host: str, port: int, setup_token: str | None = None) -> list[str]:
    """The lines `serve` prints: where it listens and what to open in a browser; while no
    one can sign in, the one-time link that creates the first administrator."""
    base = base_url(host, port)
    where = f"all interfaces, port {port}" if host in ALL_INTERFACES else base
    lines = [
        f"Doorstep {package_version()} is starting on {where}. Open:",
        f"  web chat         {base}/chat",
        f"  officer console  {base}/console/",
        f"  API docs         {base}/docs",
    ]
    if setup_token is not None:
        minutes = int(SETUP_LINK_LIFETIME.total_seconds() // 60)
        lines += [
            "No one can sign in yet. Create the first administrator with this one-time link",
            f"(it works once, for {minutes} minutes; keep it to yourself):",
            f"  {base}/console/setup?token={setup_token}",
        ]
    return [*lines, "Press Ctrl+C to stop."]


def first_admin_token(settings: Settings) -> str | None:
    """A fresh setup link's token while no user exists (stored hashed), else None."""
    database = Database(settings.database_url)
    try:
        with database.engine.begin() as connection:
            return issue_setup_token(connection, utcnow())
    finally:
        database.dispose()


SQLITE_ONE_WORKER = (
    "SQLite has a single writer, so Doorstep serves it from one process: use --workers 1, "
    "or move to PostgreSQL (DOORSTEP_DATABASE_URL=postgresql://...) to run more."
)


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[
        int | None,
        whole_number("--port", "port", 8000, at_least=1, at_most=65535, help="Port to listen on."),
    ] = None,
    workers: Annotated[
        int,
        whole_number(
            "--workers",
            "number of API processes",
            2,
            at_least=1,
            at_most=64,
            help="API processes (PostgreSQL only for more than 1).",
        ),
    ] = 1,
) -> None:
    """Run the web service: webhooks, web chat, console and API.

    With --workers N, one of the processes also runs the scheduler and the dispatcher."""
    import uvicorn

    from api.ops.access_log import log_config

    settings = get_settings()
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        err.print(SQLITE_ONE_WORKER, markup=False)
        raise typer.Exit(2)
    usable_database(settings)
    usable_questionnaires(settings)
    host, port = host or settings.host, port or settings.port
    for line in addresses(host, port, first_admin_token(settings)):
        out.print(line, markup=False)
    # Every line, uvicorn's own included, carries the id of the request it is about.
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,  # each builds the app from the factory; one leads (api.background)
        log_level="info",
        log_config=log_config(settings.log_format),  # request ids; routes, never tokens
    )


def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    usable_database(get_settings())
    out.print("The database schema is up to date.")


def show_version(wanted: bool) -> None:
    if wanted:
        out.print(f"doorstep {package_version()}", markup=False)
        raise typer.Exit()
