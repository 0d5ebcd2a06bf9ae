"""The body of `doorstep report` (bot/cli.py imports it lazily, so the service itself never
loads pandas)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from analysis.report import write_report
from bot.service import build_service
from bot.settings import get_settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def report_command(*, output: Path) -> None:
    service = build_service(get_settings())
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("Starting", total=None)
        started = [time.perf_counter()]

        def step(message: str) -> None:
            # Each finished step stays on screen with its time; the spinner shows the next.
            if progress.tasks[task].description != "Starting":
                elapsed = time.perf_counter() - started[0]
                progress.console.print(f"  {progress.tasks[task].description} ({elapsed:.1f} s)")
            started[0] = time.perf_counter()
            progress.update(task, description=message)

        try:
            files = write_report(
                service.database, service.registry, service.settings, output, step=step
            )
        finally:
            service.database.dispose()
        step("Done")
    out.print(
        f"Report written to {files.html} with {len(files.figures)} charts; "
        f"{len(files.csvs)} CSV tables beside it. "
        f"{files.tsm_respondents:,} tenants answered the TSM perception survey."
    )
