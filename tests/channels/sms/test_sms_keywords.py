"""STOP, START and HELP by SMS, in English and every supported language, from any number."""

from __future__ import annotations

import pytest

from bot.engine.commands import Command
from bot.storage.models import (
    ChannelIdentity,
    Consent,
    InboundRecord,
    OutboundRecord,
    OutboundStatus,
    Session,
    SessionState,
)
from channels.sms.inbound import keyword
from tests.support.twilio import TENANT, Twilio, twilio_fixture  # noqa: F401

STRANGER = "+447700900999"


def identity(twilio: Twilio, number: str) -> ChannelIdentity:
    (found,) = [row for row in twilio.rows(ChannelIdentity) if row.address == number]  # type: ignore[attr-defined]
    assert isinstance(found, ChannelIdentity)
    return found


def outbox(twilio: Twilio, number: str) -> list[OutboundRecord]:
    rows = [row for row in twilio.rows(OutboundRecord) if isinstance(row, OutboundRecord)]
    return sorted((row for row in rows if row.address == number), key=lambda row: row.id)


@pytest.mark.parametrize(
    ("text", "opt_out_type"),
    [
        ("STOP", None),
        ("unsubscribe", None),
        ("Stop.", None),
        ("stopio", None),  # Welsh
        ("Wypisz mnie", None),  # Polish
        ("oprește", None),  # Romanian
        ("停止", None),  # Chinese
        ("إيقاف", None),  # Arabic
        ("বন্ধ", None),  # Bengali
        ("ARRET", "STOP"),  # a keyword only Twilio's Advanced Opt-Out knows
    ],
)
def test_stop_words_opt_out_a_number_never_seen_before(
    twilio: Twilio, text: str, opt_out_type: str | None
) -> None:
    extra = {"OptOutType": opt_out_type} if opt_out_type else {}
    assert twilio.sms(text, sender=STRANGER, **extra).status_code == 200
    assert identity(twilio, STRANGER).opted_out_at is not None
    (confirmation,) = outbox(twilio, STRANGER)
    assert "not get any more messages" in confirmation.body
    # Anything else they send now gets no answer, and nothing is queued for them.
    twilio.sms("REPAIR", sender=STRANGER)
    assert len(outbox(twilio, STRANGER)) == 1


def test_stop_mid_survey_withdraws_and_cancels_what_was_queued(twilio: Twilio) -> None:
    twilio.sms("REPAIR")
    twilio.sms("yes")
    # A reminder already waiting in the outbox must not go out after the STOP.
    twilio.service.engine.remind(channel="sms", address=TENANT)
    twilio.sms("rezygnuję")  # Polish, in an English conversation
    assert identity(twilio, TENANT).opted_out_at is not None
    (session,) = twilio.rows(Session)
    assert isinstance(session, Session) and session.state == SessionState.OPTED_OUT.value
    consents = [row.outcome for row in twilio.rows(Consent)]  # type: ignore[attr-defined]
    assert consents == ["granted", "withdrawn"]
    statuses = [row.status for row in outbox(twilio, TENANT)]
    assert statuses[-3:] == [
        OutboundStatus.CANCELLED.value,  # the unsent question
        OutboundStatus.CANCELLED.value,  # the reminder
        OutboundStatus.PENDING.value,  # the confirmation
    ]
    twilio.drain()
    assert "not get any more messages" in twilio.texts_to()[-1]


def test_start_opts_back_in_in_any_language(twilio: Twilio) -> None:
    twilio.sms("STOP")
    twilio.sms("dechrau")  # Welsh START
    assert identity(twilio, TENANT).opted_out_at is None
    assert "again" in outbox(twilio, TENANT)[-1].body
    twilio.sms("REPAIR")
    assert "Repair follow-up" in outbox(twilio, TENANT)[-1].body


def test_a_foreign_start_word_is_only_a_command_for_an_opted_out_number(twilio: Twilio) -> None:
    twilio.sms("REPAIR")
    twilio.sms("yes")
    for reply in ("1", "yes", "yes", "skip"):
        twilio.sms(reply)
    twilio.sms("shuru")  # a START word in Panjabi and Urdu, but here the comment
    texts = [row.text for row in twilio.rows(InboundRecord)]  # type: ignore[attr-defined]
    assert texts[-1] == "shuru"


def test_twilio_marking_yes_as_start_does_not_turn_consent_into_a_command(
    twilio: Twilio,
) -> None:
    twilio.sms("REPAIR")
    twilio.sms("YES", OptOutType="START")
    (session,) = twilio.rows(Session)
    assert isinstance(session, Session) and session.state == SessionState.IN_PROGRESS.value


@pytest.mark.parametrize("text", ["HELP", "info", "pomoc"])
def test_help_answers_with_help_text(twilio: Twilio, text: str) -> None:
    twilio.sms(text, sender=STRANGER)
    (reply,) = outbox(twilio, STRANGER)
    assert "You are answering questions for Riverside Homes" in reply.body
    assert identity(twilio, STRANGER).opted_out_at is None


def test_help_mid_survey_repeats_the_question(twilio: Twilio) -> None:
    twilio.sms("REPAIR")
    twilio.sms("yes")
    twilio.sms("ajuda")  # Portuguese HELP in an English conversation
    body = outbox(twilio, TENANT)[-1].body
    assert "You are answering questions" in body and "How satisfied" in body


def test_keyword_table_covers_every_supported_language() -> None:
    assert keyword("STOP") is Command.STOP
    assert keyword("stopio") is Command.STOP
    assert keyword("退订") is Command.STOP
    assert keyword("ਮਦਦ") is Command.HELP
    assert keyword("iniciar") is Command.START
    assert keyword("yes", "START") is None
    assert keyword("anything", "STOP") is Command.STOP
    assert keyword("The boiler is fine now") is None
