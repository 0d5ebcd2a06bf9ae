"""The demo's generic answers: one choice leaning positive, drawn as before for a seed."""

from __future__ import annotations

import random

from analysis.demo.answers import generic_value
from bot.questionnaire.model import QuestionType
from bot.questionnaire.registry import QuestionnaireRegistry


def test_one_choice_answers_lean_positive_with_the_same_draws_for_a_seed(
    registry: QuestionnaireRegistry,
) -> None:
    questions = [
        question
        for questionnaire in registry.all()
        for question in questionnaire.questions
        if question.type is QuestionType.SELECT_ONE and question.choices is not None
    ]
    assert {len(q.choices.choices) for q in questions if q.choices is not None} >= {2, 5}
    for question in questions:
        assert question.choices is not None
        choices = question.choices.choices
        weights = [max(1.0, 6.0 - 1.5 * position) for position in range(len(choices))]
        ours, plain = random.Random(7), random.Random(7)
        drawn = [generic_value(question, ours, {}) for _ in range(300)]
        assert drawn == [plain.choices(choices, weights)[0].code for _ in range(300)]
        if len(choices) > 2:
            assert drawn.count(choices[0].code) > drawn.count(choices[-1].code)
