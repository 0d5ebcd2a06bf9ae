"""Twilio status callbacks, and what the SMS webhooks do with bad or odd requests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import update

from bot.engine.engine import Engine
from bot.engine.messages import InboundMessage as Inbound
from bot.storage.models import (
    ChannelIdentity,
    InboundRecord,
    OutboundRecord,
    OutboundStatus,
    Respondent,
)
from bot.storage.tables import OUTBOUND
from tests.support.fakes.twilio_api import signature
from tests.support.twilio import (  # noqa: F401
    PUBLIC,
    TENANT,
    Twilio,
    new_sid,
    twilio_fixture,
)


def sent_row(twilio: Twilio) -> tuple[OutboundRecord, str]:
    """Start a survey, send the invitation; the row and its status-callback path."""
    twilio.service.engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair")
    twilio.drain()
    (row,) = [r for r in twilio.rows(OutboundRecord) if isinstance(r, OutboundRecord)]
    (message,) = twilio.fake.messages
    assert message.status_callback is not None
    return row, message.status_callback.removeprefix(PUBLIC)


def status_of(twilio: Twilio, row_id: int) -> OutboundRecord:
    (row,) = [r for r in twilio.rows(OutboundRecord) if r.id == row_id]  # type: ignore[attr-defined]
    assert isinstance(row, OutboundRecord)
    return row


def test_status_callbacks_only_move_forward(twilio: Twilio) -> None:
    row, path = sent_row(twilio)
    assert row.provider_id is not None
    for status in ("queued", "sent", "delivered", "sent", "queued", "undelivered"):
        assert twilio.status(path, row.provider_id, status).status_code == 200
    assert status_of(twilio, row.id).status == OutboundStatus.DELIVERED.value
    twilio.status(path, row.provider_id, "read")
    assert status_of(twilio, row.id).status == OutboundStatus.READ.value


def test_a_failed_delivery_keeps_its_error_code(twilio: Twilio) -> None:
    row, path = sent_row(twilio)
    assert row.provider_id is not None
    twilio.status(path, row.provider_id, "undelivered", ErrorCode="30003")
    found = status_of(twilio, row.id)
    assert found.status == OutboundStatus.UNDELIVERED.value and found.error == "twilio 30003"


def test_error_21610_in_a_status_callback_opts_the_number_out(twilio: Twilio) -> None:
    row, path = sent_row(twilio)
    assert row.provider_id is not None
    twilio.status(path, row.provider_id, "failed", ErrorCode="21610")
    (identity,) = twilio.rows(ChannelIdentity)
    assert isinstance(identity, ChannelIdentity) and identity.opted_out_at is not None


def test_a_callback_that_beats_the_dispatchers_record_still_lands(twilio: Twilio) -> None:
    row, path = sent_row(twilio)
    assert row.provider_id is not None
    # As if the dispatcher had not yet written what Twilio answered.
    with twilio.service.database.transaction() as session:
        session.execute(
            update(OUTBOUND)
            .where(OUTBOUND.c.id == row.id)
            .values(status=OutboundStatus.SENDING.value, provider_id=None, segments=None)
        )
    twilio.status(path, row.provider_id, "delivered")
    found = status_of(twilio, row.id)
    assert found.status == OutboundStatus.DELIVERED.value
    assert found.provider_id == row.provider_id and found.segments == row.segments


def test_status_callbacks_are_signature_checked(twilio: Twilio) -> None:
    row, path = sent_row(twilio)
    form = {"MessageSid": str(row.provider_id), "MessageStatus": "failed", "ErrorCode": "21610"}
    bad = signature(PUBLIC + path.replace("outbox=", "outbox=9"), form)
    response = twilio.client.post(path, data=form, headers={"X-Twilio-Signature": bad})
    assert response.status_code == 403
    assert status_of(twilio, row.id).status == OutboundStatus.SENT.value
    (identity,) = twilio.rows(ChannelIdentity)
    assert isinstance(identity, ChannelIdentity) and identity.opted_out_at is None


def test_an_unknown_message_sid_changes_nothing(twilio: Twilio) -> None:
    assert twilio.status("/webhooks/twilio/status", new_sid(), "delivered").status_code == 200


def test_local_numbers_are_stored_in_e164(twilio: Twilio) -> None:
    twilio.sms("REPAIR", sender="07700 900123")
    (identity,) = twilio.rows(ChannelIdentity)
    assert isinstance(identity, ChannelIdentity) and identity.address == TENANT


def nothing_recorded(twilio: Twilio) -> bool:
    return all(twilio.rows(model) == [] for model in (InboundRecord, Respondent, OutboundRecord))


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"From": TENANT, "Body": "hi"}, 400, "MessageSid"),
        ({"MessageSid": "SMx", "Body": "hi"}, 400, "From"),
        ({"MessageSid": "SMx", "From": "not a number", "Body": "hi"}, 400, "could not be read"),
        ({"MessageSid": "SMx", "From": "12345", "Body": "hi"}, 400, "wrong number of digits"),
        ({"MessageSid": "SMx", "StatusCallback": "x"}, 400, "From"),
    ],
)
def test_signed_but_malformed_webhooks_get_400(
    twilio: Twilio, form: dict[str, str], status: int, words: str
) -> None:
    response = twilio.post("/webhooks/twilio/sms", form)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert TENANT not in response.text
    assert nothing_recorded(twilio)


def test_oversized_and_non_form_requests_are_refused(twilio: Twilio) -> None:
    huge = {"MessageSid": "SMx", "From": TENANT, "Body": "x" * 20_000}
    assert twilio.post("/webhooks/twilio/sms", huge).status_code == 413
    response = twilio.client.post("/webhooks/twilio/sms", json={"MessageSid": "SMx"})
    assert response.status_code == 415
    garbage = b"Body=%ff%fe&From=%2B447700900123"
    response = twilio.client.post(
        "/webhooks/twilio/sms",
        content=garbage,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    many = "&".join(f"f{n}=1" for n in range(500)).encode()
    response = twilio.client.post(
        "/webhooks/twilio/sms",
        content=many,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert nothing_recorded(twilio)


def test_without_twilio_settings_the_webhooks_are_not_there(twilio: Twilio) -> None:
    settings = twilio.client.app.state.settings  # type: ignore[attr-defined]
    twilio.client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"twilio_auth_token": type(settings.twilio_auth_token)("")}
    )
    # An empty token would "verify" signatures made with an empty key: refuse instead.
    form = {"MessageSid": "SMx", "From": TENANT, "Body": "STOP"}
    response = twilio.post("/webhooks/twilio/sms", form)
    assert response.status_code == 404
    assert nothing_recorded(twilio)


def test_a_sms_body_with_control_characters_is_recorded_cleanly(twilio: Twilio) -> None:
    twilio.sms("REPAIR\x00\x07")
    (inbound,) = twilio.rows(InboundRecord)
    assert isinstance(inbound, InboundRecord) and inbound.text == "REPAIR"
    assert inbound.received_at == datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


def test_a_lost_race_to_create_the_contact_is_retried(
    twilio: Twilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbapi = twilio.service.database.engine.dialect.loaded_dbapi
    # Records the message (with the conversation on PostgreSQL, where a webhook's first
    # statement is sent ahead with its batch's: `_record_ahead`).
    calls: list[str] = []

    def losing_once(real: Any) -> Any:
        def lose_once(*args: Any) -> Any:
            calls.append("called")
            if len(calls) == 1:
                raise dbapi.IntegrityError("duplicate key")
            return real(*args)

        return staticmethod(lose_once)

    monkeypatch.setattr(Engine, "_load_and_record", losing_once(Engine._load_and_record))
    monkeypatch.setattr(Engine, "_record_ahead", losing_once(Engine._record_ahead))
    assert twilio.sms("REPAIR").status_code == 200
    assert len(calls) == 2 and len(twilio.rows(InboundRecord)) == 1


def test_an_unexpected_failure_is_a_sentence_and_logs_no_personal_data(
    twilio: Twilio, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(self: Engine, inbound: Inbound) -> object:
        raise RuntimeError(f"cannot handle {inbound.address}: {inbound.text}")

    monkeypatch.setattr(Engine, "handle_async", broken)
    response = twilio.sms("my boiler is broken")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Sorry, something went wrong on our side (ref ")
    assert "RuntimeError" in caplog.text
    assert TENANT not in caplog.text and "boiler" not in caplog.text
