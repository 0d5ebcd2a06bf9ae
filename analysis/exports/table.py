"""The export table: one row per session of one questionnaire, in an SPSS-friendly layout.

Pseudonymised by default: each tenant is a stable keyed hash (HMAC-SHA256 with the service's
secret key), and there are no names, tenant references, contact details, free text or
dates typed by the tenant. Identifiable exports add those, for principals allowed them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from analysis.exports.filters import ExportFilters, FilterError, select_sessions, version_ids
from analysis.exports.variables import (
    FREE_TEXT,
    Variable,
    merge_questions,
    question_variables,
)
from analysis.frames.catalog import load_catalog
from analysis.frames.sql import to_utc
from analysis.frames.tidy import answers_frame
from analysis.frames.values import explode_codes
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.models import SessionState
from bot.storage.tables import RESPONDENTS

PSEUDONYM_HEX = 16  # 64 bits: no collisions in any landlord's tenant list


@dataclass(frozen=True)
class ExportTable:
    questionnaire_id: str
    frame: pd.DataFrame  # columns named as `variables`, in order
    variables: list[Variable]
    identifiable: bool
    filters: ExportFilters
    # Free-text questions left out of a pseudonymised export: (question, question type).
    withheld: tuple[tuple[str, str], ...] = ()

    @property
    def rows(self) -> int:
        return len(self.frame)


def pseudonym(secret: str, respondent_id: int, kind: str = "respondent") -> str:
    """A stable keyed hash: the same tenant gets the same value in every export."""
    message = f"doorstep:{kind}:{respondent_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def _pseudonyms(secret: str, ids: pd.Series, kind: str) -> pd.Series:
    unique = {int(i): pseudonym(secret, int(i), kind) for i in pd.unique(ids)}
    return ids.map(unique).astype(object)


def _meta_variables(identifiable: bool, taken: set[str]) -> list[Variable]:
    meta = [
        Variable("respondent", "Tenant (pseudonym: the same in every export)", "string", "nominal"),
        Variable("response", "Response (pseudonym of the conversation)", "string", "nominal"),
        Variable("questionnaire_version", "Questionnaire version", "string", "nominal"),
        Variable("channel", "Channel the conversation used", "string", "nominal"),
        Variable("language", "Language of the conversation", "string", "nominal"),
        Variable("completed", "Completed the questionnaire", "numeric", "nominal",
                 {1: "Yes", 0: "No"}),
        Variable("started_at", "Conversation started (UTC)", "datetime", "scale"),
        Variable("completed_at", "Conversation completed (UTC)", "datetime", "scale"),
    ]  # fmt: skip
    if identifiable:
        meta = [
            Variable("session_id", "Session number in Doorstep", "numeric", "nominal"),
            Variable("tenant_ref", "Tenant reference", "string", "nominal"),
            Variable("tenant_name", "Tenant name", "string", "nominal"),
            *meta,
        ]
    taken.update(variable.name.lower() for variable in meta)
    return meta


def _meta_frame(
    connection: Connection, sessions: pd.DataFrame, versions: dict[int, str], secret: str,
    identifiable: bool,
) -> pd.DataFrame:  # fmt: skip
    frame = pd.DataFrame(index=sessions.index)
    if identifiable:
        frame["session_id"] = sessions["session_id"].astype("Int64")
        people = _people(connection, sessions["respondent_id"])
        frame["tenant_ref"] = sessions["respondent_id"].map(lambda i: people.get(i, (None,))[0])
        frame["tenant_name"] = sessions["respondent_id"].map(
            lambda i: people.get(i, (None, None))[1]
        )
    frame["respondent"] = _pseudonyms(secret, sessions["respondent_id"], "respondent")
    frame["response"] = _pseudonyms(secret, sessions["session_id"], "session")
    frame["questionnaire_version"] = sessions["version_id"].map(versions).astype(object)
    frame["channel"] = sessions["session_channel"].astype(object)
    frame["language"] = sessions["session_language"].astype(object)
    done = sessions["session_state"].astype(object) == SessionState.COMPLETED.value
    frame["completed"] = done.astype("int64").astype("Int64")
    frame["started_at"] = to_utc(sessions["started_at"])
    frame["completed_at"] = to_utc(sessions["completed_at"])
    return frame


def _people(connection: Connection, ids: pd.Series) -> dict[int, tuple[str | None, str | None]]:
    wanted = sorted({int(i) for i in pd.unique(ids)})
    found: dict[int, tuple[str | None, str | None]] = {}
    for start in range(0, len(wanted), 10_000):  # bounded IN lists for SQLite
        query = select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, RESPONDENTS.c.name).where(
            RESPONDENTS.c.id.in_(wanted[start : start + 10_000])
        )
        found.update({int(r.id): (r.tenant_ref, r.name) for r in connection.execute(query)})
    return found


def _question_columns(
    answers: pd.DataFrame, sessions: pd.DataFrame, variables: list[Variable],
    codes_by_choice: dict[str, dict[str, int]],
) -> dict[str, pd.Series]:  # fmt: skip
    """Each question variable's column, aligned with `sessions`."""
    position = pd.Series(np.arange(len(sessions)), index=sessions["session_id"].to_numpy())
    by_question = {
        str(name): group.drop_duplicates("session_id", keep="last")
        for name, group in answers.groupby(answers["question"].astype(str), sort=False)
    }
    columns: dict[str, pd.Series] = {}
    for variable in variables:
        group = by_question.get(variable.question or "")
        kind = variable.question_type
        empty = pd.Series(pd.NA, index=sessions.index, dtype=object)
        if group is None or group.empty:
            columns[variable.name] = empty
            continue
        rows = position.reindex(group["session_id"].to_numpy()).to_numpy()
        answered = ~group["skipped"].to_numpy(dtype=bool)
        if kind == "select_multiple":
            code = codes_by_choice[variable.question or ""][variable.choice or ""]
            exploded = explode_codes(group["value_json"])
            chosen = exploded.loc[exploded["code"] == code, "row"].to_numpy()
            flags = np.isin(group.index.to_numpy(), chosen).astype(np.int64)
            values: pd.Series = pd.Series(flags, index=group.index).astype("Int64")
            values[~answered] = pd.NA
            values[group["value_json"].isna().to_numpy() & answered] = pd.NA
        elif kind == "select_one":
            values = _codes(group, codes_by_choice.get(variable.question or "", {}))
        elif kind == "yes_no":
            values = group["value_bool"].astype("boolean").astype("Int64")
        elif kind in ("integer", "decimal", "scale"):
            numbers = pd.to_numeric(group["value_number"], errors="coerce")
            typed = pd.to_numeric(group["value_text"].astype(object), errors="coerce")
            values = numbers.fillna(typed).astype("Float64")
        else:
            values = group["value_text"].astype(object)
        column = pd.Series(pd.NA, index=sessions.index, dtype=values.dtype)
        keep = ~np.isnan(rows.astype(float))
        column.iloc[rows[keep].astype(np.int64)] = values.to_numpy()[keep]
        columns[variable.name] = column
    return columns


def _codes(group: pd.DataFrame, codes: dict[str, int]) -> pd.Series:
    """select_one codes; an answer copied from a profile value kept as its choice name
    (an imported "age_35_44") is exported with that choice's code like any other."""
    values = group["value_code"].astype("Int64")
    named = values.isna() & group["value_text"].notna()
    if named.any():
        values[named] = group.loc[named, "value_text"].astype(str).map(codes).astype("Int64")
    return values


def build_export(
    connection: Connection,
    *,
    filters: ExportFilters,
    secret: str,
    identifiable: bool = False,
    registry: QuestionnaireRegistry | None = None,
    language: str | None = None,
) -> ExportTable:
    """The export of the sessions matching `filters`; FilterError if none can match."""
    filters.check()
    versions = version_ids(connection, filters)
    # Known but never asked yet: an empty export with the variables of today's version.
    known = registry is not None and any(
        q.id == filters.questionnaire_id and filters.version in (None, q.version)
        for q in registry.all()
    )
    if not versions and not known:
        what = f"version {filters.version} of " if filters.version else ""
        raise FilterError(f"No {what}questionnaire {filters.questionnaire_id!r} is known.")
    sessions = select_sessions(connection, filters, versions) if versions else pd.DataFrame()
    catalog = load_catalog(connection, registry=registry, language=language, version_ids=versions)
    asked: list[Questionnaire] = [catalog.questionnaires[i] for i in sorted(catalog.questionnaires)]
    if not asked and registry is not None and known:
        asked = [registry.latest(filters.questionnaire_id)]
    merged = merge_questions(asked, language)
    taken: set[str] = set()
    variables = _meta_variables(identifiable, taken)
    landlord = registry.landlord_name if registry is not None else "your landlord"
    languages = tuple(dict.fromkeys(
        f"{lang} ({getattr(status, 'value', status)})"
        for q in asked for lang, status in q.languages.items()
    ))  # fmt: skip
    variables += question_variables(merged, identifiable=identifiable, taken=taken,
                                    landlord=landlord, languages=languages)  # fmt: skip
    withheld = tuple(
        (name, entry.question.type.value)
        for name, entry in merged.items()
        if entry.question.type in FREE_TEXT and not identifiable
    )
    if sessions.empty:
        frame = pd.DataFrame({v.name: pd.Series(dtype=object) for v in variables})
        return ExportTable(
            filters.questionnaire_id, frame, variables, identifiable, filters, withheld
        )
    sessions = sessions.reset_index(drop=True)
    answers = answers_frame(connection, questionnaire_id=filters.questionnaire_id, catalog=catalog)
    answers = answers[answers["session_id"].isin(sessions["session_id"]).to_numpy()]
    meta = _meta_frame(connection, sessions, versions, secret, identifiable)
    codes = {name: {choice: code for code, choice in entry.names.items()}
             for name, entry in merged.items()}  # fmt: skip
    questions = [v for v in variables if v.question is not None]
    columns = _question_columns(answers, sessions, questions, codes)
    frame = pd.concat([meta, pd.DataFrame(columns, index=sessions.index)], axis=1)
    frame = frame[[v.name for v in variables]]
    return ExportTable(filters.questionnaire_id, frame, variables, identifiable, filters, withheld)
