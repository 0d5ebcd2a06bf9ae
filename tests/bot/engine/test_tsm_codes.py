"""TSM scales: the numbers a tenant may type, and the regulator's full wording (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine.replies import Option, parse_choice
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.service import Service
from bot.storage.models import Answer, AnswerStatus
from channels.sms.render import render_sms
from tests.support.chat import Chat

QUESTIONNAIRES = Path(__file__).parents[3] / "questionnaires"

# The TSM "don't know" scale as an English tenant sees it: shown 1-6, stored 1-5 and 9.
SATISFACTION_DK = [
    Option(1, 1, "very_satisfied", ("Very satisfied",), ()),
    Option(2, 2, "fairly_satisfied", ("Fairly satisfied",), ()),
    Option(3, 3, "neither", ("Neither satisfied nor dissatisfied",), ()),
    Option(4, 4, "fairly_dissatisfied", ("Fairly dissatisfied",), ()),
    Option(5, 5, "very_dissatisfied", ("Very dissatisfied",), ()),
    Option(6, 9, "dont_know", ("Don't know / N/A",), ()),
]


@pytest.mark.parametrize(
    ("reply", "name"), [("6", "dont_know"), ("9", "dont_know"), ("3", "neither")]
)
def test_shown_number_and_unambiguous_code_both_choose(reply: str, name: str) -> None:
    chosen = parse_choice(reply, SATISFACTION_DK)
    assert chosen is not None and chosen.name == name


def test_a_number_neither_shown_nor_a_code_is_refused() -> None:
    assert parse_choice("7", SATISFACTION_DK) is None
    assert parse_choice("0", SATISFACTION_DK) is None


def test_a_shown_number_wins_over_another_options_code() -> None:
    # Codes that equal other options' positions: "1" is the option shown as 1.
    swapped = [
        Option(1, 2, "first", ("First",), ()),
        Option(2, 1, "second", ("Second",), ()),
    ]
    chosen = parse_choice("1", swapped)
    assert chosen is not None and chosen.name == "first"


def _current(service: Service) -> dict[str, Any]:
    with service.database.sessions() as session:
        answers = session.scalars(select(Answer).where(Answer.status == AnswerStatus.CURRENT.value))
        return {answer.question: answer.value for answer in answers}


def test_sms_shows_six_and_both_six_and_nine_store_code_nine(service: Service) -> None:
    chat = Chat(service.engine)
    chat.start("tsm_perception", language="en")
    for reply in ("yes", "1", "no", "2"):
        chat.send(reply)
    sms = render_sms(chat.last[0]).body
    assert "6 Don't know / N/A" in sms
    assert "3 Neither satisfied nor dissatisfied" in sms
    chat.send("9")  # tp05: the stored code, typed
    refused = chat.send("7")  # tp06: neither shown nor a code
    assert "tp06_listens" not in _current(service) and refused
    chat.send("6")  # tp06: the number shown
    answers = _current(service)
    assert answers["tp05_safe_home"] == 9
    assert answers["tp06_listens"] == 9


def test_tsm_middle_points_use_the_full_wording_in_every_language() -> None:
    registry = QuestionnaireRegistry.from_directory(QUESTIONNAIRES, "Riverside Homes")
    tsm = registry.latest("tsm_perception")
    short = {"Neither", "Niwtral"}
    for name, expected in (
        ("tp01_overall", "Neither satisfied nor dissatisfied"),
        ("tp05_safe_home", "Neither satisfied nor dissatisfied"),
        ("tp08_fair_respect", "Neither agree nor disagree"),
    ):
        question = tsm.question(name)
        assert question.choices is not None
        middle = question.choices.by_code(3)
        assert middle is not None and middle.name == "neither"
        assert middle.label.get("en") == expected
        for language in tsm.languages:
            assert middle.label.get(language) not in short, (name, language)
