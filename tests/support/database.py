"""Shared test support."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


def read_only_url(url: str) -> str:
    """The same database, opened so that it refuses every write."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "%20-cdefault_transaction_read_only%3Don"  # conftest's URL ends in options=


def where(url: str) -> str:
    """How the sentence names the database: the file's path, or the database's name."""
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).resolve())
    return f'"{make_url(url).database}" on'
