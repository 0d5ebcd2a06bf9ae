"""STOP, START and HELP by SMS, in English and every supported language, from any number."""

from __future__ import annotations

import pytest

from bot.engine.commands import Command
from bot.i18n import texts
from bot.i18n.translate import translator
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
LANDLORD = "Riverside Homes"


def identity(twilio: Twilio, number: str) -> ChannelIdentity:
    (found,) = [row for row in twilio.rows(ChannelIdentity) if row.address == number]  # type: ignore[attr-defined]
    assert isinstance(found, ChannelIdentity)
    return found


def outbox(twilio: Twilio, number: str) -> list[OutboundRecord]:
    rows = [row for row in twilio.rows(OutboundRecord) if isinstance(row, OutboundRecord)]
    return sorted((row for row in rows if row.address == number), key=lambda row: row.id)


@pytest.mark.parametrize(
    ("text", "opt_out_type", "language"),
    [
        ("STOP", None, "en"),
        ("unsubscribe", None, "en"),
        ("Stop.", None, "en"),
        ("stopio", None, "cy"),
        ("DIWEDD", None, "cy"),
        ("Wypisz mnie", None, "pl"),
        ("oprește", None, "ro"),
        ("停止", None, "zh"),
        ("退订", None, "zh"),
        ("إيقاف", None, "ar"),
        ("বন্ধ", None, "bn"),
        ("ARRET", "STOP", "en"),  # a keyword only Twilio's Advanced Opt-Out knows
    ],
)
def test_stop_words_opt_out_a_number_never_seen_before_in_their_language(
    twilio: Twilio, text: str, opt_out_type: str | None, language: str
) -> None:
    extra = {"OptOutType": opt_out_type} if opt_out_type else {}
    assert twilio.sms(text, sender=STRANGER, **extra).status_code == 200
    assert identity(twilio, STRANGER).opted_out_at is not None
    (confirmation,) = outbox(twilio, STRANGER)
    assert confirmation.body == translator(language)(texts.OPTED_OUT, landlord=LANDLORD)
    assert confirmation.language == language
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
    twilio.sms("dechrau")  # Welsh START: answered in Welsh
    assert identity(twilio, TENANT).opted_out_at is None
    assert outbox(twilio, TENANT)[-1].body == translator("cy")(texts.OPTED_IN, landlord=LANDLORD)
    twilio.sms("STOP")
    twilio.sms("开始")  # Chinese START
    assert outbox(twilio, TENANT)[-1].body == translator("zh")(texts.OPTED_IN, landlord=LANDLORD)
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


@pytest.mark.parametrize(
    ("text", "language"), [("HELP", "en"), ("info", "en"), ("pomoc", "pl"), ("cymorth", "cy")]
)
def test_help_with_no_survey_says_what_the_number_is_for(
    twilio: Twilio, text: str, language: str
) -> None:
    twilio.sms(text, sender=STRANGER)
    (reply,) = outbox(twilio, STRANGER)
    assert reply.body == translator(language)(texts.HELP_NO_SURVEY, landlord=LANDLORD)
    assert "You are answering questions" not in reply.body
    assert identity(twilio, STRANGER).opted_out_at is None


def test_help_text_for_a_stranger_names_the_landlord_surveys_and_stop() -> None:
    english = translator("en")(texts.HELP_NO_SURVEY, landlord=LANDLORD)
    assert "Riverside Homes" in english and "surveys" in english and "STOP" in english


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
