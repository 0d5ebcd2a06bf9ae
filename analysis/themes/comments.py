"""Free-text comments from every questionnaire, with the language they were written in.

Only answers to text questions that are not profile details (a tenant's "other language"
is not a comment) are read; they stay in memory for counting and are never written out
unless scrubbed quotes are turned on.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from analysis.frames.catalog import Catalog
from analysis.frames.sql import read_frame
from analysis.frames.tidy import answers_frame
from bot.storage.tables import SESSIONS


def read_comments(connection: Connection, catalog: Catalog) -> pd.DataFrame:
    """text, language, answered_at, questionnaire_id: one row per comment."""
    profile_questions = {
        (q.id, question.name)
        for q in catalog.questionnaires.values()
        for question in q.questions
        if question.profile is not None
    }
    answers = answers_frame(connection, catalog=catalog)
    text = answers[(answers["question_type"].astype(str) == "text")
                   & answers["value_text"].notna()]  # fmt: skip
    keys = zip(text["questionnaire_id"].astype(str), text["question"].astype(str), strict=True)
    text = text[[key not in profile_questions for key in keys]]
    languages = read_frame(connection, select(SESSIONS.c.id.label("session_id"),
                                              SESSIONS.c.language))  # fmt: skip
    frame = text[["session_id", "answered_at", "questionnaire_id", "value_text"]].merge(
        languages, on="session_id", how="left"
    )
    return frame.rename(columns={"value_text": "text"})[
        ["text", "language", "answered_at", "questionnaire_id"]
    ]
