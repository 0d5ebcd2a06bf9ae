"""The body of `doorstep report` (bot/cli.py imports it lazily, so the service itself never
loads pandas)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, make_url, select

from analysis.progress import timed_steps
from analysis.report.build import write_report
from bot.service import build_service
from bot.settings import get_settings
from bot.storage.tables import ANSWERS

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def report_command(*, output: Path, weight: bool = False, quotes: bool = False) -> None:
    settings = get_settings()
    if quotes:  # staff asked for scrubbed quotes on this run
        settings = settings.model_copy(update={"report_quotes": True})
    service = build_service(settings)
    with timed_steps(err) as step:
        try:
            files = write_report(
                service.database,
                service.registry,
                service.settings,
                output,
                step=step,
                weight=weight,
            )
            empty = not _holds_answers(service.database.engine)
        finally:
            service.database.dispose()
        step("Done")
    drawn, left = len(files.figures) - len(files.not_drawn), len(files.not_drawn)
    charts = f"{drawn} charts" + (
        f" ({left} more left out, each with a sentence saying why)" if left else ""
    )
    out.print(
        f"Report written to {files.html} with {charts}; "
        f"{len(files.csvs)} CSV tables and the summary of approach beside it. "
        f"{files.tsm_respondents:,} tenants answered the TSM perception survey."
    )
    if empty:  # most likely the wrong database: say which one was read
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        out.print(
            f"The database it read ({where}) holds no answers yet, so the report has nothing "
            "in it. If the service keeps its data elsewhere, set DOORSTEP_DATABASE_URL to "
            "that database and run again; to try the report out, make demo data with "
            "doorstep demo-data."
        )


def _holds_answers(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(ANSWERS.c.id).limit(1)).first() is not None
