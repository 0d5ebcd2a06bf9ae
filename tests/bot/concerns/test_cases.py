"""Concerns as cases: category and severity, Awaab's Law deadlines, the tenant's reply."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.access.users import Principal, Role
from bot.concerns import queries, steps
from bot.concerns.cases import acknowledgement
from bot.concerns.deadlines import add_working_days, nation_of
from bot.concerns.digest import digest
from bot.concerns.models import Category, Concern, Severity, Step
from bot.i18n.translate import translator
from bot.service import Service
from tests.support.chat import Chat
from tests.support.concerns import comment_after_repair
from tests.support.services import Clock

UTC = datetime.UTC
# Friday 1 May 2026; Monday 4 May is the Early May bank holiday in England and Wales.
FRIDAY_BEFORE_MAY_DAY = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def cases(service: Service) -> list[Concern]:
    with service.database.sessions() as session:
        return list(session.scalars(select(Concern).order_by(Concern.id)))


@pytest.mark.parametrize(
    ("comment", "hint", "words"),
    [
        ("the walls are mouldy", None, "mould"),
        ("condensation everywhere", None, "condensation"),
        ("Mae llwydni du ar waliau'r ystafell wely", "cy", "llwydni"),
        ("W łazience na ścianach jest pleśń", "pl", "pleśń"),
    ],
)
def test_damp_words_open_a_damp_and_mould_case(
    service: Service, clock: Clock, comment: str, hint: str | None, words: str
) -> None:
    clock.now = FRIDAY_BEFORE_MAY_DAY
    comment_after_repair(service, comment, **({"locale_hint": hint} if hint else {}))
    [case] = cases(service)
    assert (case.category, case.severity) == (Category.DAMP_MOULD, Severity.SIGNIFICANT)
    assert case.reason == f"words: {words}"
    assert case.raised_at == FRIDAY_BEFORE_MAY_DAY  # the clock starts when the answer arrived


def open_cases(service: Service, now: datetime.datetime) -> list[dict[str, Any]]:
    with service.database.engine.connect() as connection:
        return queries.list_concerns(
            connection, service.registry, status=None, personal=True, now=now
        )


def deadline(item: dict[str, Any], step: str) -> dict[str, Any]:
    return next(found for found in item["deadlines"] if found["step"] == step)


def due(item: dict[str, Any], step: str) -> str | None:
    found = deadline(item, step)["due"]
    return str(found) if found else None


def test_deadlines_count_working_days_past_a_weekend_and_a_bank_holiday(
    service: Service, clock: Clock
) -> None:
    clock.now = FRIDAY_BEFORE_MAY_DAY
    comment_after_repair(service, "the walls are mouldy")
    [item] = open_cases(service, clock.now)
    # Ten working days from Friday 1 May: not Sat 2, Sun 3 or Mon 4 (bank holiday), so Tue 5
    # is the first and Mon 18 May the tenth; due by the end of that day, UK time (BST).
    assert due(item, "investigated") == "2026-05-18T22:59:00+00:00"
    assert due(item, "summary_sent") is None  # counted from the investigation
    assert item["time_left"] == "17 days left"

    officer = Principal("user", 1, "officer@example.org", Role.OFFICER, False)
    investigated = datetime.datetime(2026, 5, 21, 9, 0, tzinfo=UTC)  # Thursday, late
    with service.database.engine.begin() as connection:
        steps.record_step(connection, officer, item["id"], Step.INVESTIGATED, investigated)
    [item] = open_cases(service, investigated)
    # Three and five working days after Thu 21 May skip the weekend and Mon 25 May (Spring
    # bank holiday): Wed 27 May and Fri 29 May. Preventive work: twelve weeks.
    assert due(item, "summary_sent") == "2026-05-27T22:59:00+00:00"
    assert due(item, "safety_work") == "2026-05-29T22:59:00+00:00"
    assert due(item, "preventive_work") == "2026-08-13T09:00:00+00:00"
    investigated_row = deadline(item, "investigated")
    assert investigated_row["done_by"] == "officer@example.org"
    assert investigated_row["overdue"] is False and item["overdue"] is False


def test_bank_holidays_are_the_nation_s() -> None:
    new_year = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    # 1 Jan is a holiday everywhere; 2 Jan 2027 is a Saturday, and Scotland's 2 January
    # holiday moves to Monday 4 January.
    assert add_working_days(new_year, 1, "england").date() == datetime.date(2027, 1, 4)
    assert add_working_days(new_year, 1, "scotland").date() == datetime.date(2027, 1, 5)
    assert nation_of(None) == "england" and nation_of("Cymru") == "wales"


def test_the_tenant_hears_back_in_their_language(service: Service, clock: Clock) -> None:
    clock.now = FRIDAY_BEFORE_MAY_DAY
    said = comment_after_repair(service, "W łazience jest pleśń", locale_hint="pl")
    assert "Ktoś z zespołu mieszkaniowego" in said and "do 18 maja 2026" in said
    said = comment_after_repair(service, "the walls are mouldy", address="+447700900124")
    assert "housing team will contact you about this by 18 May 2026" in said


def test_an_emergency_gets_24_hours(service: Service, clock: Clock) -> None:
    clock.now = FRIDAY_BEFORE_MAY_DAY
    said = comment_after_repair(service, "there is a gas smell in the kitchen")
    [item] = open_cases(service, clock.now)
    assert (item["category"], item["severity"]) == ("safety", "emergency")
    assert due(item, "investigated") == due(item, "safety_work") == "2026-05-02T10:00:00+00:00"
    assert "by 2 May 2026" in said


def test_very_dissatisfied_with_a_safe_home_opens_a_safety_case(service: Service) -> None:
    talk = Chat(service.engine)
    talk.start("tsm_perception")
    for reply in ("yes", "1", "no", "1"):
        talk.send(reply)
    said = talk.send("5")  # TP05: very dissatisfied that the home is safe
    [case] = cases(service)
    assert (case.question, case.category, case.severity) == (
        "tp05_safe_home",
        Category.SAFETY,
        Severity.SIGNIFICANT,
    )
    assert case.reason == "answer: Very dissatisfied"
    assert "housing team will contact you" in said


def test_open_cases_come_by_time_left_overdue_first(service: Service, clock: Clock) -> None:
    clock.now = FRIDAY_BEFORE_MAY_DAY
    comment_after_repair(service, "the walls are mouldy")  # due 18 May
    clock.now = FRIDAY_BEFORE_MAY_DAY + datetime.timedelta(days=14)
    comment_after_repair(service, "no hot water", address="+447700900124")  # due in 24 hours
    comment_after_repair(service, "I want to complain", address="+447700900125")
    later = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
    listed = open_cases(service, later)
    # The emergency (due 16 May) is further past its deadline than the damp (18 May).
    assert [item["category"] for item in listed] == ["emergency", "damp_mould", "complaint"]
    assert [item["overdue"] for item in listed] == [True, True, False]
    assert [item["time_left"] for item in listed[:2]] == [
        "overdue by 3 days",
        "overdue by 34 hours",
    ]
    with service.database.engine.connect() as connection:
        lines = digest(connection, later)
    assert [line.overdue for line in lines] == [True, True, True]  # the complaint is not near
    assert (
        lines[0].sentence()
        == "case 2 (other emergency hazard): investigate overdue since 16 May 2026 10:00 UTC"
    )
    assert "case 1 (damp and mould): investigate overdue since 18 May 2026" in lines[2].sentence()


def test_an_anonymous_respondent_is_told_nobody_can_call() -> None:
    said = acknowledgement(translator("cy"), "Cartrefi Glan", None, anonymous=True)
    assert said.startswith("Diolch am ddweud wrthym. Rydych chi'n ateb yn ddienw")
    contact_by = datetime.datetime(2026, 5, 18, 22, 59, tzinfo=UTC)
    said = acknowledgement(translator("cy"), "Cartrefi Glan", contact_by, anonymous=False)
    assert said.endswith("yn cysylltu â chi am hyn erbyn 18 Mai 2026.")
