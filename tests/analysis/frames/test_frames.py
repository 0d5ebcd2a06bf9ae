"""Long and wide frames: one row per current answer, one per session, with labels."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from analysis.frames.tidy import ANSWER_COLUMNS, _category, answers_frame, sessions_frame
from bot.service import Service
from bot.storage.db import Database
from bot.storage.models import Answer, AnswerStatus, Session
from tests.support.chat import Chat
from tests.support.demo import Demo


def answer_everything(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    chat.start("all_types")
    chat.send("yes")  # consent
    chat.send("5")  # very dissatisfied, so why_unhappy applies
    chat.send("Too slow")
    chat.send("back")  # replaces "Too slow": only the current answer is analysed
    chat.send("It took weeks")
    chat.send("3")
    chat.send("12.50")
    chat.send("31/03/2019")
    chat.send("1 and 3")  # large print and interpreter
    chat.send("Polish")
    chat.send("4")
    chat.send("yes")
    chat.send("no")  # no consent for ethnicity: the question is skipped


def test_long_frame_has_one_labelled_row_per_current_answer(service: Service) -> None:
    answer_everything(service)
    with service.database.engine.connect() as connection:
        frame = answers_frame(connection, registry=service.registry)
    assert list(frame.columns) == ANSWER_COLUMNS
    by_question = frame.set_index(frame["question"].astype(str))
    assert list(by_question.index) == [
        "satisfaction", "why_unhappy", "household", "rent", "moved_in", "needs",
        "interpreter_language", "rating", "contact_ok",
    ]  # fmt: skip
    satisfaction = by_question.loc["satisfaction"]
    assert satisfaction["value_code"] == 5
    assert satisfaction["value_choice"] == "very_dissatisfied"
    assert satisfaction["value_label"] == "Very dissatisfied"
    assert satisfaction["question_label"] == "How satisfied are you?"
    assert satisfaction["questionnaire_id"] == "all_types"
    assert by_question.loc["why_unhappy", "value_text"] == "It took weeks"
    assert by_question.loc["needs", "value_label"] == "Large print; Interpreter"
    assert by_question.loc["needs", "value_choice"] == "large_print; interpreter"
    assert by_question.loc["household", "value_number"] == 3
    assert by_question.loc["rent", "value_text"] == "12.50"
    assert by_question.loc["moved_in", "value_text"] == "2019-03-31"
    assert by_question.loc["rating", "value_number"] == 4
    assert bool(by_question.loc["contact_ok", "value_bool"]) is True
    assert (frame["channel"] == "telegram").all()
    assert isinstance(frame["answered_at"].dtype, pd.DatetimeTZDtype)


def test_wide_frame_has_one_row_per_session_and_a_column_per_question(
    service: Service,
) -> None:
    answer_everything(service)
    Chat(service.engine, channel="sms", address="+447700900999").start("post_repair")
    with service.database.engine.connect() as connection:
        wide = sessions_frame(connection, questionnaire_id="all_types", registry=service.registry)
        everything = sessions_frame(connection, registry=service.registry)
    assert len(wide) == 1
    row = wide.iloc[0]
    assert row["session_state"] == "completed" and row["session_channel"] == "telegram"
    assert row["satisfaction"] == "Very dissatisfied"
    assert row["needs"] == "Large print; Interpreter"
    assert row["household"] == 3
    assert bool(row["contact_ok"]) is True
    assert wide.attrs["labels"]["household"] == "How many people live with you?"
    # Across questionnaires, columns are named questionnaire.question; the unanswered
    # invitation is still a row.
    assert len(everything) == 2
    assert "all_types.satisfaction" in everything.columns
    assert everything["session_state"].astype(str).tolist() == ["completed", "invited"]


def test_frames_of_demo_data_match_the_tables(database: Database, demo: Demo) -> None:
    demo(60, rounds=4)
    with database.engine.connect() as connection:
        frame = answers_frame(connection)
        wide = sessions_frame(connection, questionnaire_id="post_repair", answers=None)
        current = connection.execute(
            select(func.count()).where(Answer.status == AnswerStatus.CURRENT.value)
        ).scalar_one()
        sessions = connection.execute(select(func.count()).select_from(Session)).scalar_one()
    assert len(frame) == current > 0
    assert frame["answer_id"].is_unique
    choice_rows = frame[frame["question_type"].isin(["select_one"]) & ~frame["skipped"]]
    assert choice_rows["value_label"].notna().all()
    assert 0 < len(wide) < sessions
    assert wide["session_id"].is_unique


def test_wide_frame_from_the_long_frame_equals_the_wide_frame_read_alone(
    database: Database, demo: Demo
) -> None:
    demo(60, rounds=4)
    with database.engine.connect() as connection:
        every_answer = answers_frame(connection)
        for questionnaire in ("tsm_perception", "post_repair"):
            alone = sessions_frame(connection, questionnaire_id=questionnaire)
            subset = every_answer[every_answer["questionnaire_id"] == questionnaire]
            reused = sessions_frame(connection, questionnaire_id=questionnaire, answers=subset)
            assert len(alone) > 0
            pd.testing.assert_frame_equal(reused, alone, check_exact=True)
            assert list(reused.attrs["labels"].items()) == list(alone.attrs["labels"].items())


def test_an_empty_database_gives_empty_frames(database: Database) -> None:
    database.create_schema()
    with database.engine.connect() as connection:
        assert answers_frame(connection).empty
        assert sessions_frame(connection).empty


def test_choice_columns_are_the_categories_pandas_would_make() -> None:
    values = pd.Series(["Very satisfied", None, "Fairly", "Ddim yn siŵr", "Fairly; Very satisfied",
                        float("nan"), "Fairly", "", "Zoned"] * 3, dtype=object)  # fmt: skip
    made = pd.Series(_category(values))
    expected = values.astype("category")
    pd.testing.assert_series_equal(made, expected, check_exact=True)
    assert made.cat.categories.equals(expected.cat.categories)


def test_a_question_named_like_a_session_column_keeps_its_own_column() -> None:
    """`widen` renames such a question's column (checked per question name)."""
    from analysis.frames.catalog import Catalog
    from analysis.frames.tidy import widen

    sessions = pd.DataFrame({
        "session_id": [1, 2], "respondent_id": [10, 20], "version_id": [7, 7],
        "session_channel": ["sms", "sms"], "session_state": ["completed", "active"],
        "session_language": ["en", "en"], "started_at": [1.7e9, 1.7e9],
        "completed_at": [1.7e9 + 60, float("nan")],
    })  # fmt: skip
    question = pd.Categorical(["session_state", "q1", "q1"])
    answers = pd.DataFrame({
        "session_id": [1, 1, 2], "question": question,
        "questionnaire_id": pd.Categorical(["demo"] * 3), "position": [2, 1, 1],
        "question_type": pd.Categorical(["text", "integer", "integer"]),
        "question_label": ["State?", "How many?", "How many?"],
        "value_label": pd.Categorical([None, None, None]),
        "value_number": pd.array([None, 3.0, 4.0], dtype="Float64"),
        "value_bool": pd.array([None, None, None], dtype="boolean"),
        "value_text": pd.array(["fine", None, None], dtype="string"),
    })  # fmt: skip
    versions = pd.DataFrame({"version_id": [7], "questionnaire_id": ["demo"], "version": [1]})
    catalog = Catalog(versions, pd.DataFrame(), pd.DataFrame(), {})
    wide = widen(sessions, answers, catalog, prefixed=False)
    assert list(wide["session_state"]) == ["completed", "active"]
    assert wide["session_state_answer"].iloc[0] == "fine"
    assert list(wide["q1"]) == [3.0, 4.0]
    assert list(wide.columns[-2:]) == ["q1", "session_state_answer"]  # questionnaire order
