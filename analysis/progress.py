"""Step-by-step progress for long analysis commands (segment, report)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def timed_steps(console: Console) -> Iterator[Callable[[str], None]]:
    """A `step(message)` callback: the spinner shows the current step, and each finished
    step stays on screen with its time."""
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("Starting", total=None)
        started = [time.perf_counter()]

        def step(message: str) -> None:
            if progress.tasks[task].description != "Starting":
                elapsed = time.perf_counter() - started[0]
                progress.console.print(f"  {progress.tasks[task].description} ({elapsed:.1f} s)")
            started[0] = time.perf_counter()
            progress.update(task, description=message)

        yield step
