"""The questionnaires a running service knows, and the exact versions sessions point at."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.questionnaire.compiler import CompileResult, compile_file, compile_text
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.problems import QuestionnaireInvalid, Severity
from bot.storage.db import Database
from bot.storage.tables import VERSIONS


def questionnaire_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            files.append(path)
    return files


def load_questionnaire(path: Path, *, landlord_name: str = "Your landlord") -> Questionnaire:
    """Load one file; raise QuestionnaireInvalid with every problem when it has errors."""
    result = compile_file(path, landlord_name=landlord_name)
    return _valid(result)


def _valid(result: CompileResult) -> Questionnaire:
    if result.questionnaire is None or any(
        problem.severity is Severity.ERROR for problem in result.problems
    ):
        raise QuestionnaireInvalid(result.problems)
    return result.questionnaire


@lru_cache(maxsize=64)
def _compiled(
    text: str, filename: str, landlord_name: str, folder: Path | None = None
) -> Questionnaire:
    """Compiling is pure and a ten-language file takes a while: do it once per process."""
    return _valid(compile_text(text, filename, landlord_name=landlord_name, folder=folder))


class QuestionnaireRegistry:
    def __init__(self, landlord_name: str = "Your landlord") -> None:
        self.landlord_name = landlord_name
        self._latest: dict[str, Questionnaire] = {}
        self._sources: dict[str, str] = {}  # source hash -> YAML text
        self._by_version_id: dict[int, Questionnaire] = {}
        self._version_ids: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_directory(cls, directory: Path, landlord_name: str) -> QuestionnaireRegistry:
        registry = cls(landlord_name)
        for path in questionnaire_files([directory]):
            registry.add_text(path.read_text(encoding="utf-8"), str(path), folder=path.parent)
        return registry

    def add_text(self, text: str, filename: str, *, folder: Path | None = None) -> Questionnaire:
        """Load questionnaire text; its pictures are looked for in `folder` when given."""
        return self.add(_compiled(text, filename, self.landlord_name, folder), text)

    def add(self, questionnaire: Questionnaire, text: str) -> Questionnaire:
        """Load a questionnaire already compiled from `text` (an upload checked first)."""
        with self._lock:
            self._latest[questionnaire.id] = questionnaire
            self._sources[questionnaire.source_hash] = text
        return questionnaire

    def all(self) -> list[Questionnaire]:
        return sorted(self._latest.values(), key=lambda questionnaire: questionnaire.id)

    def latest(self, questionnaire_id: str) -> Questionnaire:
        try:
            return self._latest[questionnaire_id]
        except KeyError:
            known = ", ".join(sorted(self._latest)) or "none"
            raise KeyError(
                f"no questionnaire '{questionnaire_id}' is loaded (loaded: {known})"
            ) from None

    def by_keyword(self, word: str) -> Questionnaire | None:
        wanted = word.strip().upper()
        return next((q for q in self._latest.values() if wanted in q.keywords), None)

    def version_id(self, connection: Connection, questionnaire: Questionnaire) -> int:
        """The id of this exact version's row, stored on first use."""
        key = (questionnaire.id, questionnaire.version)
        cached = self._version_ids.get(key)
        if cached is not None:
            return cached
        row = connection.execute(
            select(VERSIONS.c.id, VERSIONS.c.source_hash).where(
                VERSIONS.c.questionnaire_id == questionnaire.id,
                VERSIONS.c.version == questionnaire.version,
            )
        ).first()
        if row is not None and row.source_hash != questionnaire.source_hash:
            raise QuestionnaireChanged(questionnaire)
        if row is None:
            # Stored in this (uncommitted) transaction: remembered only once seen committed,
            # or a rollback would leave every later session pointing at a missing row.
            return self._insert_version(connection, questionnaire)
        if _committed(connection, row.id):  # not just written earlier in this transaction
            with self._lock:
                self._version_ids[key] = row.id
                self._by_version_id[row.id] = questionnaire
        return int(row.id)

    def _insert_version(self, connection: Connection, questionnaire: Questionnaire) -> int:
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        inserted = connection.execute(
            module.insert(VERSIONS)
            .on_conflict_do_nothing(index_elements=["questionnaire_id", "version"])
            .returning(VERSIONS.c.id),
            {
                "questionnaire_id": questionnaire.id,
                "version": questionnaire.version,
                "source_hash": questionnaire.source_hash,
                "source": self._sources.get(questionnaire.source_hash, ""),
            },
        ).scalar_one_or_none()
        if inserted is None:  # another process stored it meanwhile (and has committed)
            return self.version_id(connection, questionnaire)
        return int(inserted)

    def store_all(self, database: Database) -> None:
        """Store every loaded version at start-up, committed before any conversation."""
        for questionnaire in self.all():
            with database.engine.begin() as connection:
                self.version_id(connection, questionnaire)
            with database.engine.connect() as connection:
                self.version_id(connection, questionnaire)  # now committed: cache it

    def by_version_id(self, connection: Connection, version_id: int) -> Questionnaire:
        cached = self._by_version_id.get(version_id)
        if cached is not None:
            return cached
        row = connection.execute(
            select(VERSIONS.c.source, VERSIONS.c.questionnaire_id, VERSIONS.c.version).where(
                VERSIONS.c.id == version_id
            )
        ).one()
        name = f"<stored {row.questionnaire_id} {row.version}>"
        questionnaire = _valid(compile_text(row.source, name, landlord_name=self.landlord_name))
        if _committed(connection, version_id):
            with self._lock:
                self._by_version_id[version_id] = questionnaire
        return questionnaire


_IS_STORED = {
    True: "SELECT 1 FROM questionnaire_versions WHERE id = ?",  # sqlite3's placeholder
    False: "SELECT 1 FROM questionnaire_versions WHERE id = %s",  # psycopg's
}


def _committed(connection: Connection, version_id: int) -> bool:
    """Whether another connection sees this version's row, i.e. it is committed.

    Messages answered together share one transaction (group commit), so a row can be seen
    here that an earlier message of the batch wrote and a rollback may yet remove. A raw
    driver connection reads without `BEGIN IMMEDIATE` (which would wait for our own
    writer on SQLite); this runs once per version and process, before it is cached.
    """
    raw = connection.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(_IS_STORED[connection.dialect.name == "sqlite"], (version_id,))
        found = cursor.fetchone() is not None
        cursor.close()
        raw.rollback()
        return found
    finally:
        raw.close()


def changed_since_stored(
    connection: Connection, questionnaires: list[Questionnaire]
) -> list[Questionnaire]:
    """Those whose id and version are stored with other content (answers use the stored one)."""
    if not questionnaires:
        return []
    rows = connection.execute(
        select(VERSIONS.c.questionnaire_id, VERSIONS.c.version, VERSIONS.c.source_hash).where(
            VERSIONS.c.questionnaire_id.in_({q.id for q in questionnaires})
        )
    )
    stored = {(row.questionnaire_id, row.version): row.source_hash for row in rows}
    return [
        q for q in questionnaires if stored.get((q.id, q.version), q.source_hash) != q.source_hash
    ]


def changed_sentence(questionnaire: Questionnaire) -> str:
    """What a person reads when a questionnaire was edited without a new version number."""
    return (
        f"{questionnaire.source_path} was changed after answers were stored for "
        f"{questionnaire.id} version {questionnaire.version}: give it a new number in its "
        f'"version:" line (for example version: "{_next_version(questionnaire.version)}") '
        "and start Doorstep again."
    )


def _next_version(version: str) -> str:
    head, _, last = version.rpartition(".")
    if last.isdigit():
        return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    return f"{version}.1"


class QuestionnaireChanged(Exception):
    def __init__(self, questionnaire: Questionnaire) -> None:
        super().__init__(changed_sentence(questionnaire))
