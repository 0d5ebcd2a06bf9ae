"""Free-text comments from every questionnaire, with the language they were written in.

Only answers to text questions that are not profile details (a tenant's "other language"
is not a comment) are read, straight from the answers table (not the whole answers frame:
comments are a small share of the answers); they stay in memory for counting and are
never written out unless scrubbed quotes are turned on.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, or_, select

from analysis.frames.catalog import Catalog
from analysis.frames.sql import epoch, json_text, read_frame, to_utc
from analysis.frames.values import decode_values
from bot.questionnaire.model import QuestionType
from bot.storage.models import AnswerStatus
from bot.storage.tables import ANSWERS, SESSIONS

COLUMNS = ["text", "language", "answered_at", "questionnaire_id"]


def comment_questions(catalog: Catalog) -> dict[int, tuple[str, list[str]]]:
    """Per stored version: (questionnaire id, its free-text questions that are not profile
    details)."""
    found = {}
    for version_id, q in catalog.questionnaires.items():
        names = [question.name for question in q.questions
                 if question.type is QuestionType.TEXT and question.profile is None]  # fmt: skip
        if names:
            found[version_id] = (q.id, names)
    return found


def read_comments(connection: Connection, catalog: Catalog) -> pd.DataFrame:
    """text, language, answered_at, questionnaire_id: one row per comment."""
    wanted = comment_questions(catalog)
    if not wanted:
        return pd.DataFrame(columns=COLUMNS)
    dialect = connection.dialect.name
    query = (
        select(
            SESSIONS.c.questionnaire_version_id.label("version_id"), SESSIONS.c.language,
            json_text(ANSWERS.c.value).label("value_json"),
            epoch(ANSWERS.c.answered_at, dialect).label("answered_at"),
        )
        .join(SESSIONS, SESSIONS.c.id == ANSWERS.c.session_id)
        .where(
            ANSWERS.c.status == AnswerStatus.CURRENT.value, ANSWERS.c.skipped.is_(False),
            or_(*(and_(SESSIONS.c.questionnaire_version_id == version_id,
                       ANSWERS.c.question.in_(names))
                  for version_id, (_id, names) in wanted.items())),
        )
    )  # fmt: skip
    raw = read_frame(connection, query, texts=("value_json",))
    if raw.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame({
        "text": decode_values(raw["value_json"])["text"].astype(object),
        "language": raw["language"].astype(str),
        "answered_at": to_utc(raw["answered_at"]),
        "questionnaire_id": raw["version_id"].map({k: v[0] for k, v in wanted.items()}),
    })  # fmt: skip
    return frame[frame["text"].notna()].reset_index(drop=True)
