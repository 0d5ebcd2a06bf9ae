"""`doorstep db backup PATH` and `doorstep db restore PATH` (SQLite; PostgreSQL uses pg_dump)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.settings import get_settings
from bot.storage.backup import BackupProblem, Checked, back_up, restore

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _size(checked: Checked) -> str:
    return f"{checked.size / 1_048_576:.1f} MB"


def db_backup(
    path: Annotated[Path, typer.Argument(help="Where to write the backup file.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Back up the SQLite database while the service runs (one consistent snapshot)."""
    try:
        checked = back_up(get_settings().database_url, path, overwrite=force)
    except BackupProblem as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(1) from None
    out.print(f"Backed up to {path} ({_size(checked)}); its integrity check passed.", markup=False)


def db_restore(
    path: Annotated[Path, typer.Argument(help="The backup file to restore.")],
    force: Annotated[
        bool, typer.Option("--force", help="Restore even though the database is open.")
    ] = False,
) -> None:
    """Check a backup, then restore it over the SQLite database (stop the service first)."""
    try:
        checked = restore(path, get_settings().database_url, force=force)
    except BackupProblem as problem:
        err.print(str(problem), markup=False)
        raise typer.Exit(1) from None
    out.print(f"Restored {path} ({_size(checked)}); its integrity check passed.", markup=False)
    if not checked.latest:
        out.print("Its schema is older than this version: run doorstep db upgrade next.")
