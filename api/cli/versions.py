"""Questionnaires edited without a new version number, noticed before anything runs.

Answers point at the exact stored text of a version, so an edited file that keeps its version
number cannot be used: `validate` warns about it and `serve` refuses to start, each in one
sentence naming the file and what to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.questionnaire.model import Questionnaire
from bot.questionnaire.registry import changed_since_stored
from bot.settings import Settings
from bot.storage.db import Database

_VERSION_LINE = re.compile(r"^version\s*:", re.MULTILINE)


def stored_changes(settings: Settings, questionnaires: list[Questionnaire]) -> list[Questionnaire]:
    """Those stored with other content; none when there is no database to ask."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return []  # asking would create an empty database file
    database = Database(settings.database_url, **_quick(settings.database_url))
    try:
        with database.engine.connect() as connection:
            return changed_since_stored(connection, questionnaires)
    except SQLAlchemyError:
        return []  # no database yet, or not reachable: nothing is stored to differ from
    finally:
        database.dispose()


def _quick(url: str) -> dict[str, object]:
    # validate must not hang on a database that does not answer.
    return {} if url.startswith("sqlite") else {"connect_args": {"connect_timeout": 5}}


def version_line(path: str) -> int:
    """The line of the file's `version:` key (1 when it cannot be read)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return 1
    found = _VERSION_LINE.search(text)
    return 1 if found is None else text.count("\n", 0, found.start()) + 1
