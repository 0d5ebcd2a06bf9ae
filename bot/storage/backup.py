"""SQLite backups taken while the service runs, and restores that check what they restore.

A backup goes through SQLite's online backup API (`sqlite3.Connection.backup`) in one step:
it reads one consistent snapshot (a read transaction; in WAL mode writers carry on), so the
copy holds every transaction committed before it began and none half-done. The copy is
written beside the target under a temporary name, checked, then renamed into place, so a
crash never leaves a torn file under the backup's name.

A restore first checks the file (`PRAGMA integrity_check`, and that its schema version is
one of Doorstep's migrations), then copies it into the database through the same API, so
SQLite's own locks apply. PostgreSQL is backed up with `pg_dump` (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_path
from bot.storage.migrate import alembic_config

POSTGRES_ADVICE = (
    "This database is PostgreSQL: back it up with pg_dump and restore it with pg_restore "
    "(see docs/operations.md)."
)


class BackupProblem(Exception):
    """A backup or restore that cannot go ahead; `str()` is one sentence."""


@dataclass(frozen=True)
class Checked:
    path: Path
    revision: str
    latest: bool  # False: `doorstep db upgrade` (or serve) will migrate it
    size: int


def database_file(url: str) -> Path:
    """The SQLite file behind a database URL, or a sentence saying why there is none."""
    path = sqlite_path(url)
    if path is None:
        raise BackupProblem(
            POSTGRES_ADVICE
            if url.startswith("postgresql")
            else (
                "Only SQLite files are backed up by Doorstep itself; use your database's own tools."
            )
        )
    return path


@contextlib.contextmanager
def _open(path: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    # Read-write even to only read: a read-only connection to a WAL file cannot tidy its
    # -wal and -shm files away on closing, and they would make the file look in use.
    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None
    )
    try:
        connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        yield connection
    finally:
        connection.close()


def _revisions() -> tuple[set[str], set[str]]:
    """Every migration Doorstep knows, and the newest ones."""
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


def check_file(path: Path) -> Checked:
    """Is this a whole, undamaged Doorstep database? Raise BackupProblem if not."""
    if not path.is_file():
        raise BackupProblem(f"There is no file at {path}.")
    try:
        with _open(path) as connection:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupProblem(f"{path} is not a SQLite database, or it is damaged.") from None
    if verdict != ["ok"]:
        raise BackupProblem(
            f"{path} is damaged (SQLite's integrity check failed); use another backup."
        )
    known, latest = _revisions()
    if revision is None or revision[0] not in known:
        raise BackupProblem(
            f"{path} is not a Doorstep database this version knows (no known schema version); "
            "restore a backup made by Doorstep."
        )
    return Checked(path, revision[0], revision[0] in latest, path.stat().st_size)


def back_up(url: str, target: Path, *, overwrite: bool = False) -> Checked:
    """Copy the live database to `target` in one consistent snapshot, then check the copy."""
    source = database_file(url)
    if not source.is_file():
        raise BackupProblem(f"There is no database at {source.resolve()} to back up.")
    if target.exists() and not overwrite:
        raise BackupProblem(f"{target} already exists: choose a new name, or add --force.")
    if not target.parent.is_dir():
        raise BackupProblem(f"The folder {target.parent} does not exist: create it first.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _open(source) as live, _open(partial, create=True) as copy:
            live.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        checked = check_file(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Checked(target, checked.revision, checked.latest, checked.size)


def in_use(path: Path) -> bool:
    """A SQLite file in WAL mode keeps its `-wal` file while any connection has it open
    (or after a crash): either way, not a file to overwrite unasked."""
    return path.with_name(path.name + "-wal").exists()


def restore(backup: Path, url: str, *, force: bool = False) -> Checked:
    """Check `backup`, then copy it over the database at `url`."""
    checked = check_file(backup)
    target = database_file(url)
    if in_use(target) and not force:
        raise BackupProblem(
            f"The database {target.resolve()} is open (a service may be running on it): stop "
            "the service first, or add --force to restore over it anyway."
        )
    if not target.parent.is_dir():
        raise BackupProblem(f"The folder {target.parent} does not exist: create it first.")
    with _open(backup) as source, _open(target, create=True) as live:
        source.backup(live)
    check_file(target)
    return checked
