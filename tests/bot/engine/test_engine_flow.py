"""The conversation engine end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine, SessionAlreadyOpen
from bot.service import Service
from bot.storage.models import (
    Answer,
    AnswerStatus,
    Consent,
    InboundRecord,
    OutboundRecord,
    ProfileAttribute,
    Session,
    SessionState,
)
from tests.support.chat import Chat
from tests.support.services import Clock


def rows(service: Service, model: Any, *where: Any) -> list[Any]:
    with service.database.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def current_answers(service: Service) -> dict[str, Any]:
    answers = rows(service, Answer, Answer.status == AnswerStatus.CURRENT.value)
    return {answer.question: answer.value for answer in answers}


def session_state(service: Service) -> SessionState:
    (session,) = rows(service, Session)
    return SessionState(session.state)


def test_post_repair_survey_completes_and_stores_every_answer(service: Service) -> None:
    chat = Chat(service.engine)
    opening = chat.send("repair")
    assert "Riverside Homes" in opening and "YES" in opening
    assert "How satisfied" in chat.send("yes")
    chat.send("2")
    chat.send("no")
    chat.send("yes")
    chat.send("1")
    assert "Thank you" in chat.send("The plumber was great")
    assert session_state(service) is SessionState.COMPLETED
    answers = rows(service, Answer)
    assert [a.question for a in answers][:2] == ["repair_overall", "right_first_time"]
    assert answers[0].raw_text == "2" and answers[0].value == 2 and answers[0].channel == "sms"
    assert answers[-1].value == "The plumber was great"
    (consent,) = rows(service, Consent)
    assert consent.outcome == "granted" and consent.purpose == "repair_feedback"
    assert len(consent.text_hash) == 64


def walk_to_household(chat: Chat) -> None:
    chat.start("all_types")
    chat.send("yes")  # consent
    chat.send("delighted")  # satisfaction by English alias


def test_every_question_type_parses(service: Service, clock: Clock) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    assert "How many people" in chat.last[0].body
    assert "1 to 20" in chat.send("25")  # the constraint's own message
    chat.send("3")
    chat.send("12.50")  # decimal
    assert "future" in chat.send("1/1/2099")
    chat.send("31/03/2019")
    chat.send("1 and 3")  # select_multiple with "and"
    assert "Which language" in chat.last[0].body  # relevant: interpreter selected
    chat.send("Polish")
    assert "Very satisfied" in chat.last[0].body  # piping the earlier label
    chat.send("⭐⭐⭐⭐")  # scale by stars
    chat.send("yep")
    assert "ethnic group" in chat.send("yes")  # sensitive consent, then the question
    chat.send("prefer not to say")
    assert session_state(service) is SessionState.COMPLETED
    answers = current_answers(service)
    assert answers == {
        "satisfaction": 1,
        "household": 3,
        "rent": "12.50",
        "moved_in": "2019-03-31",
        "needs": [1, 3],
        "interpreter_language": "Polish",
        "rating": 4,
        "contact_ok": True,
        "ethnicity": 99,
    }


def test_second_language_labels_and_yes_words(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    chat.start("all_types", language="cy")
    assert "Pa mor fodlon" not in chat.last[0].body  # consent comes first
    chat.send("ie")  # Welsh yes
    assert "Pa mor fodlon" in chat.last[0].body
    chat.send("Eithaf Bodlôn")  # Welsh label, other case and an accent
    assert current_answers(service)["satisfaction"] == 2


def test_skip_logic_and_back_clear_dependent_answers(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    chat.start("all_types")
    chat.send("yes")
    chat.send("5")  # very dissatisfied -> why_unhappy is relevant
    assert "Why were you unhappy" in chat.last[0].body
    chat.send("Slow")
    assert "How many people" in chat.last[0].body
    chat.send("back")
    assert "Why were you unhappy" in chat.last[0].body
    chat.send("back")
    assert "How satisfied" in chat.last[0].body
    chat.send("1")  # now satisfied: why_unhappy no longer applies
    assert "How many people" in chat.last[0].body
    answers = current_answers(service)
    assert answers == {"satisfaction": 1}
    statuses = {(a.question, a.value): a.status for a in rows(service, Answer)}
    assert statuses[("why_unhappy", "Slow")] == AnswerStatus.REPLACED
    assert statuses[("satisfaction", 5)] == AnswerStatus.REPLACED


def test_changing_an_answer_clears_answers_that_no_longer_apply(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    for reply in ("2", "10", "01/01/2020", "3"):
        chat.send(reply)
    assert "Which language" in chat.last[0].body
    chat.send("Urdu")
    chat.send("back")  # back to the interpreter language
    chat.send("back")  # back to needs
    chat.send("1")  # large print only: interpreter language is cleared
    assert "interpreter_language" not in current_answers(service)


def test_reask_limit_skips_optional_and_ends_required(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    chat.send("3")
    for _ in range(3):
        chat.send("lots")  # rent is optional
    assert "When did you move in" in chat.last[0].body
    skipped = rows(service, Answer, Answer.question == "rent")
    assert skipped[0].skipped is True and skipped[0].value is None

    other = Chat(service.engine, address="+447700900999", channel="telegram")
    other.start("all_types")
    other.send("yes")
    replies = [other.send("purple") for _ in range(3)]
    assert "did not understand" in replies[0]
    assert "stop here" in replies[-1]
    with service.database.sessions() as session:
        states = set(session.scalars(select(Session.state)))
    assert SessionState.INCOMPLETE.value in states


def test_skip_command_only_for_optional_questions(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    assert "cannot be skipped" in chat.send("SKIP")
    chat.send("2")
    assert "When did you move in" in chat.send("skip")


def test_resume_after_restart_uses_only_the_database(
    service: Service, make_engine: Callable[[], Engine]
) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    service.database.dispose()
    restarted = Chat(make_engine(), channel="telegram")
    assert "weekly rent" in restarted.send("4")
    assert current_answers(service)["household"] == 4


def test_duplicate_inbound_recorded_once_and_answered_the_same(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    chat.send("yes")
    first = chat.send("1", provider_id="SMdup")
    again = chat.send("1", provider_id="SMdup")
    assert first == again
    assert len(rows(service, Answer)) == 1
    assert len(rows(service, InboundRecord, InboundRecord.provider_id == "SMdup")) == 1


def test_declined_consent_stores_only_the_refusal(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    assert "Nothing has been saved" in chat.send("no")
    assert rows(service, Answer) == []
    (consent,) = rows(service, Consent)
    assert consent.outcome == "declined"
    assert session_state(service) is SessionState.DECLINED
    assert "no survey open" in chat.send("1")


def test_sensitive_questions_skipped_without_their_own_consent(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    for reply in ("2", "skip", "skip", "2", "3", "no"):
        chat.send(reply)
    assert "ethnic group" in chat.last[0].body
    chat.send("no")  # no consent to ethnicity questions
    assert session_state(service) is SessionState.COMPLETED
    assert "ethnicity" not in current_answers(service)
    scopes = {(c.scope, c.outcome) for c in rows(service, Consent)}
    assert ("sensitive:ethnicity", "declined") in scopes


def test_stop_opts_out_and_silences_the_address(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    chat.send("yes")
    assert "not get any more messages" in chat.send("STOP")
    assert session_state(service) is SessionState.OPTED_OUT
    assert chat.send("REPAIR") == ""
    outbound_before = len(rows(service, OutboundRecord))
    assert "again" in chat.send("START")
    assert len(rows(service, OutboundRecord)) == outbound_before + 1
    withdrawn = [c for c in rows(service, Consent) if c.outcome == "withdrawn"]
    assert len(withdrawn) == 1


def test_language_switch_mid_survey_reasks_in_the_new_language(service: Service) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    menu = chat.send("LANGUAGE")
    assert "Cymraeg" in menu
    assert "Faint o bobl" in chat.send("Cymraeg")
    chat.send("2")
    with service.database.sessions() as session:
        (stored,) = session.scalars(select(Session.language))
    assert stored == "cy"


def test_profile_link_copies_answers_and_skips_fresh_values(service: Service, clock: Clock) -> None:
    chat = Chat(service.engine, channel="telegram")
    walk_to_household(chat)
    chat.send("3")
    (attribute,) = rows(service, ProfileAttribute)
    assert (attribute.name, attribute.value) == ("household_size", 3)
    chat.send("STOP")
    chat.send("START")
    clock.advance(days=30)
    chat.start("all_types")
    chat.send("yes")
    assert "weekly rent" in chat.send("1")  # household known and fresh: not asked
    clock.advance(days=400)
    stale = Chat(service.engine, channel="telegram")
    stale.send("STOP")
    stale.send("START")
    stale.start("all_types")
    stale.send("yes")
    assert "How many people" in stale.send("1")


def test_help_and_unknown_text_without_a_session(service: Service) -> None:
    chat = Chat(service.engine)
    assert "no survey open" in chat.send("hello")
    help_text = chat.send("help")  # no survey open: what this number is for, how to stop
    assert "sends surveys from" in help_text and "STOP" in help_text
    assert "BACK" not in help_text


def test_expired_session_is_closed_politely(service: Service, clock: Clock) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    clock.advance(days=8)
    assert "closed" in chat.send("yes")
    assert session_state(service) is SessionState.EXPIRED


def test_start_for_a_known_respondent_links_the_address(service: Service) -> None:
    first = Chat(service.engine, address="+447700900001")
    first.start("post_repair")
    with service.database.sessions() as session:
        (respondent_id,) = session.scalars(select(Session.respondent_id))
    web = Chat(service.engine, address="webchat-token-1", channel="webchat")
    with pytest.raises(SessionAlreadyOpen):
        service.engine.start(
            channel="webchat",
            address="webchat-token-1",
            questionnaire_id="post_repair",
            respondent_id=respondent_id,
        )
    first.send("STOP")
    service.engine.start(
        channel="webchat",
        address="webchat-token-1",
        questionnaire_id="post_repair",
        respondent_id=respondent_id,
    )
    assert "How satisfied" in web.send("yes")
    with service.database.sessions() as session:
        owners = set(session.scalars(select(Session.respondent_id)))
    assert owners == {respondent_id}
