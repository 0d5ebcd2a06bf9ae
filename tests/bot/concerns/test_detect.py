"""Answers that raise a concern for an officer."""

from __future__ import annotations

from sqlalchemy import select

from bot.concerns.detect import matched_keywords
from bot.concerns.lexicon import find_in
from bot.concerns.models import Category, Concern, ConcernStatus
from bot.questionnaire.compiler import compile_text
from bot.service import Service
from tests.support.concerns import answer_post_repair


def concerns(service: Service) -> list[Concern]:
    with service.database.sessions() as session:
        return list(session.scalars(select(Concern).order_by(Concern.id)))


def test_a_very_poor_rating_and_damp_in_the_comment_raise_concerns(service: Service) -> None:
    answer_post_repair(service, "5", "There is DAMP and mould in the bedroom")
    raised = concerns(service)
    assert [(c.question, c.reason) for c in raised] == [
        ("repair_overall", "answer: Very dissatisfied"),
        ("comment", "words: damp, mould"),
    ]
    assert {c.status for c in raised} == {ConcernStatus.OPEN}
    assert "bedroom" not in " ".join(c.reason for c in raised)  # the reason, not the answer


def test_ordinary_answers_raise_nothing(service: Service) -> None:
    answer_post_repair(service, "1", "Quick and tidy, thank you")
    assert concerns(service) == []


def test_lexicon_stems_find_word_forms_but_not_other_words() -> None:
    found = [hit.entry.text for hit in find_in("Mouldy walls, dampness; gaslight", ("en",))]
    assert found == ["mould", "damp"]  # "gas" alone is no entry: "gas smell" is
    assert [h.entry.text for h in find_in("czuć gaz w kuchni", ("pl",))] == ["czuć gaz"]
    assert [h.entry.category for h in find_in("black spots everywhere", ("en",))] == [
        Category.DAMP_MOULD
    ]


def test_lexicon_hits_come_in_reading_order_once_each_from_every_language_asked() -> None:
    """Entries are looked up by each word's beginnings: a phrase is found where its first
    word is, an entry found twice counts once at its first place, and a second language's
    entries join the first's in reading order."""
    text = "The gas smell is back, damp again, more damp and a smell of gas"
    hits = find_in(text, ("en",))
    assert [(hit.entry.text, hit.position) for hit in hits] == [
        ("gas smell", 4), ("damp", 22), ("smell of gas", 49),
    ]  # fmt: skip
    both = find_in("Mae lleithder yn y wal, and the mould is back", ("cy", "en"))
    assert [hit.entry.text for hit in both][-1] == "mould"
    assert both[0].entry.category == Category.DAMP_MOULD and both[0].position == 4
    assert find_in("", ("en", "cy")) == []


def test_keywords_match_whole_words_in_any_case_and_without_accents() -> None:
    assert matched_keywords("Czuć ZAPACH GAZU w kuchni", ("zapach gazu",)) == ["zapach gazu"]
    assert matched_keywords("wilgoc w lazience", ("wilgoć",)) == ["wilgoć"]
    assert matched_keywords("gaslight", ("gas",)) == []
    assert matched_keywords("厨房有煤气味", ("煤气味",)) == ["煤气味"]


def test_concern_rules_are_validated() -> None:
    text = """\
id: c
version: "1"
title: {en: C}
default_language: en
languages: {en: reviewed}
purpose: {code: testing, text: {en: Testing.}}
consent: {version: "1", text: {en: Testing.}}
estimated_minutes: 1
concern_keywords: {fr: [humide]}
choice_lists:
  scale: [{code: 1, name: good, label: {en: Good}}, {code: 2, name: bad, label: {en: Bad}}]
questions:
  - {name: a, type: select_one, choices: scale, text: {en: A}, concern: {values: [7]}}
  - {name: b, type: integer, text: {en: B}, concern: {keywords: {en: [damp]}}}
  - {name: c, type: select_one, choices: scale, text: {en: C},
     concern: {values: [2], category: weather}}
"""
    messages = [p.message for p in compile_text(text, "c.yaml").problems]
    assert "concern_keywords in 'fr', which is not in languages" in messages
    assert "concern value 7 is not a choice code" in messages
    assert "concern keywords only work on text answers" in messages
    assert "concern category 'weather' is not known" in messages
