"""WhatsApp over Twilio end to end: signed webhooks in, the real twilio client out to a fake
that holds sends to WhatsApp's 24-hour window. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime
import json

from sqlalchemy import insert, select

from bot.engine.messages import OutboundMessage
from bot.storage.models import (
    Answer,
    ChannelIdentity,
    OutboundRecord,
    OutboundStatus,
    Session,
    SessionState,
)
from bot.storage.tables import RESPONDENTS
from tests.support.whatsapp import (  # noqa: F401
    INBOUND_PATH,
    TEMPLATES,
    TENANT,
    WhatsApp,
    whatsapp_fixture,
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def new_tenant(whatsapp: WhatsApp, ref: str = "T-1") -> int:
    with whatsapp.service.database.engine.begin() as connection:
        return int(
            connection.execute(
                insert(RESPONDENTS).values(tenant_ref=ref).returning(RESPONDENTS.c.id)
            ).scalar_one()
        )


def outbox(whatsapp: WhatsApp) -> list[OutboundRecord]:
    with whatsapp.service.database.sessions() as session:
        return list(session.scalars(select(OutboundRecord).order_by(OutboundRecord.id)))


def test_invited_by_template_reminded_by_template_and_the_survey_completes(
    whatsapp: WhatsApp,
) -> None:
    invitation = whatsapp.service.engine.start(
        channel="whatsapp",
        address=TENANT,
        questionnaire_id="post_repair",
        respondent_id=new_tenant(whatsapp),
    )
    assert [message.purpose for message in invitation] == ["invitation"]
    assert whatsapp.drain().sent == 1
    (sent,) = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")
    assert sent.content_sid == TEMPLATES["invitation"]["en"]
    assert sent.content_variables["1"] == "Riverside Homes"
    assert "take part" in sent.content_variables["2"]
    assert "\n" not in sent.content_variables["2"]  # WhatsApp refuses line breaks in variables
    assert sent.body.startswith("Hello, this is Riverside Homes about your home.")

    # 24 hours of silence: the reminder goes as its template (a free message would be refused).
    whatsapp.clock.advance(hours=24, minutes=1)
    reminder = whatsapp.service.engine.remind(channel="whatsapp", address=TENANT)
    assert [message.purpose for message in reminder] == ["reminder"]
    assert whatsapp.drain().sent == 1
    last = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[-1]
    assert last.content_sid == TEMPLATES["reminder"]["en"]
    assert last.body.startswith("A reminder from Riverside Homes")

    # The tenant answers: inside the window the replies go as free messages; five long
    # options as numbered text, yes and no as quick-reply buttons the tenant taps.
    replies = []
    for text in ("yes", "2", "tap:No", "yes", "1", "Quick and tidy"):
        tapped = {"ButtonPayload": text[4:], "ButtonText": text[4:]} if text[:4] == "tap:" else {}
        response = whatsapp.message(text[4:] if tapped else text, **tapped)
        assert response.status_code == 200 and response.text == EMPTY_TWIML
        assert whatsapp.drain().sent == 1
        replies.append(whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[-1])
    assert replies[0].content_sid is None
    assert "\n1 Very satisfied\n2 Fairly satisfied\n" in replies[0].body
    assert "right first time" in replies[1].body
    assert replies[1].buttons == [("Yes", "Yes"), ("No", "No")]
    assert replies[1].content_sid in whatsapp.fake.created  # made through the Content API
    assert replies[2].buttons == replies[1].buttons  # the same content, created once
    assert len(whatsapp.fake.created) <= 2
    assert "Thank you" in replies[-1].body
    with whatsapp.service.database.sessions() as session:
        (survey,) = session.scalars(select(Session))
        assert survey.channel == "whatsapp" and survey.state == SessionState.COMPLETED.value
        answers = {a.question: a.value for a in session.scalars(select(Answer))}
    assert answers["repair_overall"] == 2 and answers["comment"] == "Quick and tidy"
    assert all(row.status == OutboundStatus.SENT.value for row in outbox(whatsapp))


def test_a_tenant_who_writes_first_gets_a_whatsapp_identity_and_free_replies(
    whatsapp: WhatsApp,
) -> None:
    assert whatsapp.message("REPAIR").status_code == 200
    assert whatsapp.drain().sent == 1
    (reply,) = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")
    assert "take part" in reply.body and reply.buttons == [("Yes", "Yes"), ("No", "No")]
    with whatsapp.service.database.sessions() as session:
        (identity,) = session.scalars(select(ChannelIdentity))
    assert (identity.channel, identity.address) == ("whatsapp", TENANT)


def test_the_sms_webhook_forwards_whatsapp_senders(whatsapp: WhatsApp) -> None:
    form = {
        "MessageSid": "SM" + "e" * 32,
        "From": f"whatsapp:{TENANT}",
        "To": "whatsapp:+447700900001",
        "Body": "REPAIR",
    }
    assert whatsapp.post("/webhooks/twilio/sms", form).status_code == 200
    whatsapp.fake.heard_from(TENANT)
    assert whatsapp.drain().sent == 1
    assert "take part" in whatsapp.texts_to()[0]


def test_a_forged_signature_gets_403_and_records_nothing(whatsapp: WhatsApp) -> None:
    form = {"MessageSid": "SM" + "f" * 32, "From": f"whatsapp:{TENANT}", "Body": "REPAIR"}
    forged = whatsapp.post(INBOUND_PATH, form, token="not-the-auth-token")
    assert forged.status_code == 403
    unsigned = whatsapp.client.post(INBOUND_PATH, data=form)
    assert unsigned.status_code == 403
    assert outbox(whatsapp) == []
    with whatsapp.service.database.sessions() as session:
        assert list(session.scalars(select(ChannelIdentity))) == []


def test_stop_opts_the_number_out_and_a_late_message_sends_nothing(whatsapp: WhatsApp) -> None:
    whatsapp.message("REPAIR")
    whatsapp.drain()
    whatsapp.message("STOP")
    whatsapp.drain()
    assert "not get any more messages" in whatsapp.texts_to()[-1]
    with whatsapp.service.database.sessions() as session:
        (identity,) = session.scalars(select(ChannelIdentity))
    assert identity.opted_out_at is not None
    count = len(whatsapp.texts_to())
    assert whatsapp.service.engine.remind(channel="whatsapp", address=TENANT) == []
    whatsapp.drain()
    assert len(whatsapp.texts_to()) == count


def test_a_free_reply_outside_the_window_goes_once_as_the_reopen_template(
    whatsapp: WhatsApp,
) -> None:
    whatsapp.message("REPAIR")
    whatsapp.drain()
    whatsapp.message("yes")
    # The reply is written, then the tenant's window closes before it is sent.
    whatsapp.clock.advance(hours=25)
    whatsapp.fake.last_inbound.clear()
    assert whatsapp.drain().sent == 1
    last = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[-1]
    assert last.content_sid == TEMPLATES["reopen"]["en"]
    assert "How satisfied" in last.content_variables["2"]


def test_63016_from_twilio_is_answered_with_the_reopen_template_and_never_loops(
    whatsapp: WhatsApp,
) -> None:
    whatsapp.message("REPAIR")
    whatsapp.drain()
    # Our record says the window is open, but WhatsApp's clock disagrees.
    whatsapp.fake.last_inbound.clear()
    whatsapp.message("yes")
    whatsapp.fake.last_inbound.clear()
    stats = whatsapp.drain()
    assert stats.sent == 1 and stats.retried == 0
    last = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[-1]
    assert last.content_sid == TEMPLATES["reopen"]["en"]


def test_63016_without_a_reopen_template_fails_with_a_sentence(whatsapp: WhatsApp) -> None:
    whatsapp.channel.templates = type(whatsapp.channel.templates)({})
    whatsapp.fake.heard_from(TENANT)
    whatsapp.message("REPAIR")
    whatsapp.fake.last_inbound.clear()
    stats = whatsapp.drain()
    assert stats.failed == 1 and stats.retried == 0
    (row,) = outbox(whatsapp)
    assert row.status == OutboundStatus.FAILED.value
    assert "no WhatsApp template is configured for re-openings" in (row.error or "")


def test_an_invitation_without_any_template_is_skipped_with_a_reason(whatsapp: WhatsApp) -> None:
    whatsapp.channel.templates = type(whatsapp.channel.templates)(
        {"reminder": TEMPLATES["reminder"]}
    )
    whatsapp.service.engine.start(
        channel="whatsapp", address=TENANT, questionnaire_id="post_repair",
        respondent_id=new_tenant(whatsapp),
    )  # fmt: skip
    assert whatsapp.drain().failed == 1
    (row,) = outbox(whatsapp)
    assert (
        row.error is not None and "no WhatsApp template is configured for invitations" in row.error
    )
    assert whatsapp.fake.messages == []


def test_a_welsh_tenant_gets_the_welsh_template_and_others_fall_back_to_english(
    whatsapp: WhatsApp,
) -> None:
    for ref, number, language in (("T-1", TENANT, "cy"), ("T-2", "+447700900457", "pl")):
        whatsapp.service.engine.start(
            channel="whatsapp", address=number, questionnaire_id="post_repair",
            respondent_id=new_tenant(whatsapp, ref), language=language,
        )  # fmt: skip
    whatsapp.drain()
    welsh = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[0]
    polish = whatsapp.fake.sent_to("whatsapp:+447700900457")[0]
    assert welsh.content_sid == TEMPLATES["invitation"]["cy"]
    assert polish.content_sid == TEMPLATES["invitation"]["en"]


def test_status_callbacks_record_whatsapp_errors_and_opt_out_unreachable_numbers(
    whatsapp: WhatsApp,
) -> None:
    whatsapp.message("REPAIR")
    whatsapp.drain()
    (row,) = outbox(whatsapp)
    response = whatsapp.status(row.id, str(row.provider_id), "undelivered", ErrorCode="63024")
    assert response.status_code == 200
    (row,) = outbox(whatsapp)
    assert row.status == OutboundStatus.UNDELIVERED.value
    assert row.error == "twilio 63024: the number is not a WhatsApp user"
    with whatsapp.service.database.sessions() as session:
        (identity,) = session.scalars(select(ChannelIdentity))
    assert identity.opted_out_at is not None


def test_a_63016_callback_reopens_once_by_template(whatsapp: WhatsApp) -> None:
    whatsapp.message("REPAIR")
    whatsapp.drain()
    (row,) = outbox(whatsapp)
    whatsapp.status(row.id, str(row.provider_id), "failed", ErrorCode="63016")
    whatsapp.status(row.id, str(row.provider_id), "failed", ErrorCode="63016")  # a retry
    rows = outbox(whatsapp)
    assert [r.purpose for r in rows] == [None, "reopen"]
    assert whatsapp.drain().sent == 1
    assert whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[-1].content_sid == TEMPLATES["reopen"]["en"]
    reopened = outbox(whatsapp)[-1]
    whatsapp.status(reopened.id, str(reopened.provider_id), "failed", ErrorCode="63016")
    assert len(outbox(whatsapp)) == 2  # a template is never copied again


def test_each_message_books_one_slot_in_the_shared_schedule(whatsapp: WhatsApp) -> None:
    long = whatsapp.service.engine.start(
        channel="whatsapp", address=TENANT, questionnaire_id="post_repair",
        respondent_id=new_tenant(whatsapp),
    )  # fmt: skip
    assert whatsapp.channel.units(long[0]) == 1
    assert json.loads(json.dumps(whatsapp.channel.rate_limit.per_second)) == 10.0


def test_after_a_crash_a_message_twilio_already_has_is_not_sent_again(whatsapp: WhatsApp) -> None:
    before = whatsapp.clock.now - datetime.timedelta(seconds=5)
    whatsapp.message("REPAIR")
    whatsapp.drain()
    whatsapp.message("yes")
    whatsapp.drain()
    sent = [OutboundMessage.from_row(row) for row in outbox(whatsapp)]
    for message in sent:  # the consent (with buttons) and the first question (numbered)
        found = asyncio.run(whatsapp.channel.find_sent(message, before))
        assert found is not None and found.provider_id == message_sid(whatsapp, message.id)
    other = OutboundMessage(0, "whatsapp", TENANT, "Something never sent", "en")
    assert asyncio.run(whatsapp.channel.find_sent(other, before)) is None


def message_sid(whatsapp: WhatsApp, outbox_id: int) -> str | None:
    return next(row.provider_id for row in outbox(whatsapp) if row.id == outbox_id)
