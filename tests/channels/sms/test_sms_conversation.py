"""SMS over Twilio end to end: signed webhooks in, the real twilio client out to a local fake.

Every test here runs on SQLite and PostgreSQL (the `service` fixture).
"""

from __future__ import annotations

import socket
import threading

import pytest

from bot.storage.models import (
    Answer,
    ChannelIdentity,
    InboundRecord,
    OutboundRecord,
    OutboundStatus,
    Respondent,
    Session,
    SessionState,
)
from tests.support.fakes.twilio_api import signature
from tests.support.twilio import PUBLIC, TENANT, Twilio, new_sid, twilio_fixture  # noqa: F401

SMS_PATH = "/webhooks/twilio/sms"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def only(rows: list[object]) -> object:
    assert len(rows) == 1, rows
    return rows[0]


def test_signed_webhooks_complete_the_post_repair_survey(twilio: Twilio) -> None:
    replies: list[str] = []
    for text in ("REPAIR", "yes", "2", "no", "yes", "1", "The plumber was quick and tidy"):
        response = twilio.sms(text)
        assert response.status_code == 200
        assert response.text == EMPTY_TWIML
        assert response.headers["content-type"].startswith("text/xml")
        assert twilio.drain().sent == 1
        replies.append(twilio.texts_to()[-1])

    assert "Reply YES or NO" in replies[0]
    # The select_one question goes out with numbered options instead of buttons.
    assert "\n1 Very satisfied\n2 Fairly satisfied\n" in replies[1]
    assert "\n4 No, neither" in replies[4]
    assert "Thank you" in replies[-1]
    session = only(twilio.rows(Session))
    assert isinstance(session, Session) and session.state == SessionState.COMPLETED.value
    answers = [a for a in twilio.rows(Answer) if isinstance(a, Answer)]
    assert [a.question for a in answers] == [
        "repair_overall",
        "right_first_time",
        "appointment_kept",
        "operative_conduct",
        "comment",
    ]
    identity = only(twilio.rows(ChannelIdentity))
    assert isinstance(identity, ChannelIdentity) and identity.address == TENANT
    for row in twilio.rows(OutboundRecord):
        assert isinstance(row, OutboundRecord)
        assert row.status == OutboundStatus.SENT.value
        assert row.provider_id is not None and row.provider_id.startswith("SM")
        assert row.segments is not None and row.segments >= 1
    # Each send asked for a status callback carrying its outbox row.
    callbacks = [message.status_callback for message in twilio.fake.messages]
    assert all(
        url and url.startswith(f"{PUBLIC}/webhooks/twilio/status?outbox=") for url in callbacks
    )


@pytest.mark.parametrize(
    "headers_for",
    [
        pytest.param(lambda form: {}, id="no signature"),
        pytest.param(lambda form: {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, id="garbage"),
        pytest.param(
            lambda form: {"X-Twilio-Signature": signature(PUBLIC + "/other", form)},
            id="signed for another URL",
        ),
        pytest.param(
            lambda form: {
                "X-Twilio-Signature": signature(PUBLIC + "/webhooks/twilio/sms", form, "x")
            },
            id="signed with another token",
        ),
        pytest.param(
            lambda form: {
                "X-Twilio-Signature": signature(
                    PUBLIC + SMS_PATH, {**form, "Body": "something else"}
                )
            },
            id="body changed after signing",
        ),
    ],
)
def test_a_wrongly_signed_webhook_gets_403_and_records_nothing(
    twilio: Twilio, headers_for: object
) -> None:
    form = {"MessageSid": new_sid(), "From": TENANT, "To": "+447700900000", "Body": "REPAIR"}
    assert callable(headers_for)
    response = twilio.client.post("/webhooks/twilio/sms", data=form, headers=headers_for(form))
    assert response.status_code == 403
    assert "signed" in response.json()["detail"]
    for model in (InboundRecord, Respondent, ChannelIdentity, Session, OutboundRecord):
        assert twilio.rows(model) == []


def test_the_same_message_sid_twice_records_one_answer(twilio: Twilio) -> None:
    twilio.sms("REPAIR")
    twilio.sms("yes")
    sid = new_sid()
    first = twilio.sms("2", sid=sid)
    again = twilio.sms("2", sid=sid)
    assert first.status_code == again.status_code == 200
    assert again.text == EMPTY_TWIML
    assert len(twilio.rows(Answer)) == 1
    assert len([m for m in twilio.rows(InboundRecord) if m.provider_id == sid]) == 1  # type: ignore[attr-defined]
    assert len(twilio.rows(OutboundRecord)) == 3  # invitation, first question, second question


def test_the_same_message_sid_concurrently_records_one_answer(twilio: Twilio) -> None:
    twilio.sms("REPAIR")
    twilio.sms("yes")
    sid = new_sid()
    copies = 8
    barrier = threading.Barrier(copies)
    statuses: list[int] = []

    def deliver() -> None:
        barrier.wait()
        statuses.append(twilio.sms("2", sid=sid).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * copies
    assert len(twilio.rows(Answer)) == 1
    assert len([m for m in twilio.rows(InboundRecord) if m.provider_id == sid]) == 1  # type: ignore[attr-defined]
    assert twilio.drain().sent == 3  # one reply per message, not per copy


def test_first_messages_from_a_new_number_racing_each_other_both_count(twilio: Twilio) -> None:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver(text: str) -> None:
        barrier.wait()
        statuses.append(twilio.sms(text).status_code)

    threads = [threading.Thread(target=deliver, args=(text,)) for text in ("hello", "hi")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    assert len(twilio.rows(InboundRecord)) == 2
    assert len(twilio.rows(ChannelIdentity)) == 1


def test_error_21610_on_send_opts_the_tenant_out_and_nothing_more_is_sent(twilio: Twilio) -> None:
    engine = twilio.service.engine
    engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair")
    twilio.fake.opt_out(TENANT)
    stats = twilio.drain()
    assert stats.opted_out == 1 and stats.sent == 0
    identity = only(twilio.rows(ChannelIdentity))
    assert isinstance(identity, ChannelIdentity) and identity.opted_out_at is not None
    session = only(twilio.rows(Session))
    assert isinstance(session, Session) and session.state == SessionState.OPTED_OUT.value
    invitation = only(twilio.rows(OutboundRecord))
    assert isinstance(invitation, OutboundRecord) and invitation.error is not None
    assert invitation.status == OutboundStatus.FAILED.value and "21610" in invitation.error

    # Nothing reaches them afterwards: not a new campaign, a reminder, or a reply.
    assert engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair") == []
    assert engine.remind(channel="sms", address=TENANT) == []
    assert twilio.sms("REPAIR").status_code == 200
    assert twilio.drain().handled == 0
    assert twilio.fake.sent_to(TENANT) == []


def test_the_internet_is_out_of_reach_in_tests() -> None:
    with pytest.raises(AssertionError, match="internet"):
        socket.create_connection(("203.0.113.10", 443), timeout=1)
