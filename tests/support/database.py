"""Shared test support."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.service import Service
from bot.storage.schema import metadata


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


def every_value(service: Service) -> list[str]:
    """Every cell of every table, as text."""
    cells: list[str] = []
    with service.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                cells.extend(json.dumps(value, default=str) for value in row)
    return cells
