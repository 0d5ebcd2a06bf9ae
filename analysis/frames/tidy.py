"""Tidy pandas frames from storage: one row per answer (long) and one per session (wide).

Only current answers are analysed (not those replaced with BACK or cleared by skip logic).
Questions and choices carry the labels of the exact questionnaire version that was asked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, select

from analysis.frames.catalog import Catalog, load_catalog
from analysis.frames.sql import epoch, json_text, map_frame_parts, read_frame, to_utc
from analysis.frames.values import as_texts, decode_values, explode_codes, join_in_order
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.models import AnswerStatus
from bot.storage.tables import ANSWERS, SESSIONS, VERSIONS

CHOICE_TYPES = ("select_one", "select_multiple")
NUMBER_TYPES = ("integer", "decimal", "scale")

ANSWER_COLUMNS = [
    "answer_id", "session_id", "respondent_id", "questionnaire_id", "questionnaire_version",
    "question", "question_label", "question_type", "position", "skipped", "channel",
    "answered_at", "value_code", "value_choice", "value_label", "value_number", "value_bool",
    "value_text", "value_json",
]  # fmt: skip


def _version_filter(connection: Connection, questionnaire_id: str | None) -> list[int] | None:
    if questionnaire_id is None:
        return None
    query = select(VERSIONS.c.id).where(VERSIONS.c.questionnaire_id == questionnaire_id)
    return [int(row.id) for row in connection.execute(query)]


def answers_frame(
    connection: Connection,
    *,
    questionnaire_id: str | None = None,
    language: str | None = None,
    registry: QuestionnaireRegistry | None = None,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """One row per current answer, with question and choice labels (long format).

    `value_code` holds select_one codes, `value_choice`/`value_label` the choice name and
    label (several joined with "; " for select_multiple), `value_number` numbers and scale
    ratings, `value_bool` yes/no, `value_text` free text and dates. Skipped answers have
    every value column empty. Prefilled answers (copied from the profile) have channel
    "profile".
    """
    dialect = connection.dialect.name
    version_ids = _version_filter(connection, questionnaire_id)
    query = (
        select(
            ANSWERS.c.id.label("answer_id"),
            ANSWERS.c.session_id,
            SESSIONS.c.respondent_id,
            SESSIONS.c.questionnaire_version_id.label("version_id"),
            ANSWERS.c.question,
            json_text(ANSWERS.c.value).label("value_json"),
            ANSWERS.c.skipped,
            ANSWERS.c.channel,
            epoch(ANSWERS.c.answered_at, dialect).label("answered_at"),
        )
        .join(SESSIONS, SESSIONS.c.id == ANSWERS.c.session_id)
        .where(ANSWERS.c.status == AnswerStatus.CURRENT.value)
    )
    if version_ids is not None:
        query = query.where(SESSIONS.c.questionnaire_version_id.in_(version_ids))
    catalog = catalog or load_catalog(connection, registry=registry, language=language)
    # In id order, part by part: each part is labelled while the next one is read.
    parts = map_frame_parts(
        connection, query.order_by(ANSWERS.c.id) if dialect == "sqlite" else query,
        lambda raw: label_answers(raw, catalog),
        categories=("question", "channel"), texts=("value_json",),
    )  # fmt: skip
    return concat_parts(parts)


def concat_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns one after another, as if made in one piece: categories
    are united and sorted (as one frame's would be), so nothing falls back to objects."""
    if len(parts) == 1:
        return parts[0]
    columns: dict[str, Any] = {}
    for name in parts[0].columns:
        values = [part[name] for part in parts]
        if all(isinstance(value.dtype, pd.CategoricalDtype) for value in values):
            columns[name] = union_categoricals([value.array for value in values],
                                               sort_categories=True)  # fmt: skip
        else:
            columns[name] = pd.concat(values, ignore_index=True)
    return pd.DataFrame(columns)


def _positions(table: pd.DataFrame, on: list[str], keys: list[Any]) -> np.ndarray:
    """Row numbers in the small `table` matching each key (-1 if none): a hash lookup, so
    the million-row frame is never merged or copied. The rows hold a few hundred distinct
    keys: each is looked up once (a categorical key by its codes, never as strings)."""
    rows = len(keys[0])
    combined = np.zeros(rows, dtype=np.int64)
    missing = np.zeros(rows, dtype=bool)
    distinct: list[Any] = []
    for key in keys:
        codes, uniques = pd.factorize(key)
        missing |= codes < 0
        combined = combined * max(len(uniques), 1) + np.maximum(codes, 0)
        distinct.append(uniques)
    if missing.all():
        return np.full(rows, -1)
    inverse, combinations = pd.factorize(combined)
    digits: list[Any] = []
    for uniques in reversed(distinct):  # the last key is the lowest digit
        digits.insert(0, uniques.take(combinations % len(uniques)))
        combinations = combinations // len(uniques)
    index = pd.MultiIndex.from_frame(table[on])
    found = np.asarray(index.get_indexer(pd.MultiIndex.from_arrays(digits)))
    return np.where(missing, -1, found[inverse])


def _take(values: pd.Series, positions: np.ndarray) -> pd.Categorical:
    return pd.Categorical(values.astype(object)).take(positions, allow_fill=True)


def _category(values: pd.Series) -> pd.Categorical[Any]:
    """`values.astype("category")` for a column of Python strings, factorized as objects
    first: pandas would turn every value into an Arrow string before finding the few
    distinct ones (a third of a second per million answers)."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    categories = pd.Series(distinct, dtype=object).astype("category").cat.categories
    remap = np.append(categories.get_indexer(pd.Index(distinct, dtype=object)), -1)  # -1: missing
    return pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(categories))


def label_answers(raw: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Decode and label raw answer rows (as read by `answers_frame`)."""
    if raw.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in ANSWER_COLUMNS})
    frame = raw.sort_values("answer_id", kind="stable").reset_index(drop=True)
    frame["answered_at"] = to_utc(frame["answered_at"])
    frame["skipped"] = frame["skipped"].astype(bool)
    frame["question"] = frame["question"].astype("category")
    frame["channel"] = frame["channel"].astype("category")
    version = frame["version_id"].to_numpy()
    at_version = _positions(catalog.versions, ["version_id"], [version])
    frame["questionnaire_id"] = _take(catalog.versions["questionnaire_id"], at_version)
    frame["questionnaire_version"] = _take(catalog.versions["version"], at_version)
    at_question = _positions(catalog.questions, ["version_id", "question"],
                             [version, frame["question"].array])  # fmt: skip
    for column in ("question_label", "question_type"):
        frame[column] = _take(catalog.questions[column], at_question)
    position = catalog.questions["position"].to_numpy()[at_question]
    frame["position"] = pd.array(np.where(at_question >= 0, position, 0), dtype="Int64")
    frame.loc[at_question < 0, "position"] = pd.NA

    decoded = decode_values(frame["value_json"])
    # Compared as categories (by code), not as a Python string per answer.
    kind = frame["question_type"]
    is_choice = kind.isin(CHOICE_TYPES).to_numpy()
    is_single = (kind == "select_one").to_numpy()
    frame["value_code"] = decoded["number"].where(is_single).astype("Int64")
    frame["value_number"] = decoded["number"].where(~is_choice)
    frame["value_bool"] = decoded["flag"]
    frame["value_text"] = decoded["text"]

    # select_one: look the code up among the version's choices.
    choices = catalog.choices
    single = is_single & frame["value_code"].notna().to_numpy()
    at_choice = np.full(len(frame), -1)
    at_choice[single] = _positions(
        choices, ["version_id", "question", "code"],
        [version[single], frame["question"].array[single],
         frame["value_code"].to_numpy(dtype=np.int64, na_value=0)[single]],
    )  # fmt: skip
    choice = pd.Series(_take(choices["choice"], at_choice), dtype=object)
    label = pd.Series(_take(choices["choice_label"], at_choice), dtype=object)

    # select_multiple: explode the lists, label each code, join them in the chosen order.
    multiple = np.flatnonzero(is_choice & decoded["is_list"].to_numpy())
    if len(multiple):
        codes = explode_codes(frame["value_json"].iloc[multiple])
        rows = codes["row"].to_numpy()
        at = _positions(choices, ["version_id", "question", "code"],
                        [version[rows], frame["question"].array.take(rows),
                         codes["code"].to_numpy()])  # fmt: skip
        names = pd.Series(choices["choice"].to_numpy()[at], dtype=object)
        texts = pd.Series(choices["choice_label"].to_numpy()[at], dtype=object)
        missing = at < 0
        names[missing] = codes["code"].astype(str).to_numpy()[missing]
        texts[missing] = names[missing]
        codes["choice"], codes["choice_label"] = names.to_numpy(), texts.to_numpy()
        choice.iloc[multiple] = join_in_order(codes, "row", "choice").reindex(multiple).to_numpy()
        label.iloc[multiple] = (
            join_in_order(codes, "row", "choice_label").reindex(multiple).to_numpy()
        )
    frame["value_choice"] = _category(choice)
    frame["value_label"] = _category(label)
    return frame[ANSWER_COLUMNS]


def chosen_options(answers: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One row per option chosen in choice answers (select_multiple exploded)."""
    choice_rows = answers[answers["question_type"].isin(CHOICE_TYPES).to_numpy()]
    codes = explode_codes(choice_rows["value_json"])
    single = choice_rows["value_code"].dropna()
    codes = pd.concat(
        [codes, pd.DataFrame({"row": single.index, "code": single.astype("int64").to_numpy()})]
    )
    base = answers.loc[codes["row"], ["answer_id", "session_id", "respondent_id", "question"]]
    base = base.reset_index(drop=True).assign(code=codes["code"].to_numpy())
    versions = catalog.versions.rename(columns={"version": "questionnaire_version"})
    version_of = answers.loc[codes["row"], ["questionnaire_id", "questionnaire_version"]]
    keys = version_of.reset_index(drop=True).merge(
        versions, on=["questionnaire_id", "questionnaire_version"], how="left"
    )
    base["version_id"] = keys["version_id"].to_numpy()
    base["question"] = base["question"].astype(str)
    labelled = base.merge(
        catalog.choices[["version_id", "question", "code", "choice", "choice_label"]],
        on=["version_id", "question", "code"],
        how="left",
    )
    return labelled.drop(columns="version_id").sort_values(["answer_id", "code"])


def sessions_frame(
    connection: Connection,
    *,
    questionnaire_id: str | None = None,
    language: str | None = None,
    registry: QuestionnaireRegistry | None = None,
    answers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per session (wide): session_id, respondent_id, questionnaire_id and version,
    session_channel, session_state, session_language, started_at, completed_at, then one
    column per question.

    Question columns hold choice labels (several joined with "; "), numbers, yes/no as
    booleans and text. Given one questionnaire they are named after the questions; across
    questionnaires they are named "questionnaire_id.question". `frame.attrs["labels"]`
    maps each question column to the question's wording.
    """
    dialect = connection.dialect.name
    version_ids = _version_filter(connection, questionnaire_id)
    query = select(*session_columns(dialect))
    if version_ids is not None:
        query = query.where(SESSIONS.c.questionnaire_version_id.in_(version_ids))
    sessions = read_frame(
        connection, query,
        categories=("session_channel", "session_state", "session_language"),
    )  # fmt: skip
    catalog = load_catalog(connection, registry=registry, language=language)
    if answers is None:
        answers = answers_frame(
            connection, questionnaire_id=questionnaire_id, language=language, catalog=catalog
        )
    return widen(sessions, answers, catalog, prefixed=questionnaire_id is None)


def widen(
    sessions: pd.DataFrame, answers: pd.DataFrame, catalog: Catalog, *, prefixed: bool
) -> pd.DataFrame:
    """Sessions with one column per question, in questionnaire order."""
    meta = sessions.sort_values("session_id", kind="stable").reset_index(drop=True)
    for name in ("started_at", "completed_at"):
        meta[name] = to_utc(meta[name])
    meta = meta.merge(catalog.versions, on="version_id", how="left").rename(
        columns={"version": "questionnaire_version"}
    )
    meta = meta.drop(columns="version_id")
    for name in ("questionnaire_id", "session_channel", "session_state", "session_language"):
        meta[name] = meta[name].astype("category")
    if answers.empty:
        meta.attrs["labels"] = {}
        return meta
    # Categories compared and turned into text once per name, not once per answer.
    kind = answers["question_type"]
    cell: pd.Series[Any] = answers["value_label"].astype(object)
    cell = cell.where(kind.isin(CHOICE_TYPES), answers["value_number"].astype(object))
    cell = cell.where(kind != "yes_no", answers["value_bool"].astype(object))
    cell = cell.where(~kind.isin(["text", "date"]), answers["value_text"].astype(object))
    question = pd.Series(as_texts(answers["question"]), index=answers.index)
    # A question named like a session column (e.g. "session_state") keeps its own column.
    if _named_like(answers["question"], meta.columns):
        question = question.where(~question.isin(meta.columns), question + "_answer")
    column = as_texts(answers["questionnaire_id"]) + "." + question if prefixed else question
    long = pd.DataFrame({"session_id": answers["session_id"], "column": column, "cell": cell,
                         "row": np.arange(len(answers))})  # fmt: skip
    long = long.drop_duplicates(["session_id", "column"], keep="last")
    wide = long.pivot(index="session_id", columns="column", values="cell")
    # Columns in questionnaire order: each column's first answer gives its position.
    first = long.drop_duplicates("column")
    rows = first["row"].to_numpy()
    positions = answers["position"].to_numpy()[rows]
    sort_key = [
        f"{questionnaire}{str(position).zfill(4)}"
        for questionnaire, position in zip(
            answers["questionnaire_id"].astype(object).to_numpy()[rows], positions, strict=True
        )
    ]
    order = first.assign(order=sort_key).sort_values("order")["column"].tolist()
    wide = wide.reindex(columns=order).infer_objects()
    labels = _labels(column, answers)
    result = meta.merge(wide, left_on="session_id", right_index=True, how="left")
    result.attrs["labels"] = labels
    return result


def _named_like(question: pd.Series, columns: pd.Index) -> bool:
    """Whether any answer's question is named like one of `columns` (checked once per
    question name when the questions are categories)."""
    if not isinstance(question.dtype, pd.CategoricalDtype):
        return True
    return bool(pd.Index([str(name) for name in question.cat.categories]).isin(columns).any())


def _labels(column: pd.Series, answers: pd.DataFrame) -> dict[str, str]:
    """Each column's question wording, from its first answer."""
    first = ~column.duplicated().to_numpy()
    labels = answers["question_label"].astype(object).to_numpy()[first]
    return {name: str(label) for name, label in zip(column[first], labels, strict=True)}


def session_columns(dialect: str) -> list[Any]:
    """One session's columns as the long and wide frames (and exports) read them."""
    return [
        SESSIONS.c.id.label("session_id"),
        SESSIONS.c.respondent_id,
        SESSIONS.c.questionnaire_version_id.label("version_id"),
        SESSIONS.c.channel.label("session_channel"),
        SESSIONS.c.state.label("session_state"),
        SESSIONS.c.language.label("session_language"),
        epoch(SESSIONS.c.created_at, dialect).label("started_at"),
        epoch(SESSIONS.c.completed_at, dialect).label("completed_at"),
    ]
