"""Every withdrawal is recorded with the wording withdrawn, however it came (issue 13, 9).

STOP mid-survey, Twilio's own block (error 21610) and a blocked Telegram bot all end the open
conversation; each writes a consent row with outcome "withdrawn", the channel it came from
and the hash of the consent wording the tenant had been shown and granted. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from bot.outreach.optout import opt_out_address
from bot.service import Service
from bot.storage.models import Consent, OutboundRecord
from tests.support.chat import Chat
from tests.support.twilio import PUBLIC, TENANT, Twilio, twilio_fixture  # noqa: F401

EMPTY = hashlib.sha256(b"").hexdigest()


def _consents(service: Service) -> list[Consent]:
    with service.database.sessions() as session:
        return list(session.scalars(select(Consent).order_by(Consent.id)))


def _assert_withdrawal_of_the_grant(service: Service, channel: str) -> None:
    granted, withdrawn = _consents(service)
    assert (granted.outcome, withdrawn.outcome) == ("granted", "withdrawn")
    assert withdrawn.text_hash == granted.text_hash != EMPTY
    assert withdrawn.wording_version == granted.wording_version
    assert (withdrawn.scope, withdrawn.session_id) == (granted.scope, granted.session_id)
    assert withdrawn.channel == channel


def test_stop_mid_survey_records_the_wording_withdrawn(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    chat.send("yes")
    chat.send("STOP")
    _assert_withdrawal_of_the_grant(service, "sms")


def test_stop_before_consent_withdraws_nothing(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    chat.send("STOP")
    assert _consents(service) == []


def test_twilio_21610_records_a_withdrawal(twilio: Twilio) -> None:
    twilio.service.engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair")
    twilio.drain()
    twilio.sms("yes")
    twilio.drain()
    rows = [r for r in twilio.rows(OutboundRecord) if isinstance(r, OutboundRecord)]
    last = max(rows, key=lambda row: row.id)
    message = twilio.fake.messages[-1]
    assert last.provider_id is not None and message.status_callback is not None
    path = message.status_callback.removeprefix(PUBLIC)
    assert twilio.status(path, last.provider_id, "failed", ErrorCode="21610").status_code == 200
    _assert_withdrawal_of_the_grant(twilio.service, "sms")


def test_a_blocked_telegram_bot_records_a_withdrawal(service: Service) -> None:
    chat = Chat(service.engine, address="424242", channel="telegram")
    chat.send("REPAIR")
    chat.send("yes")
    with service.database.engine.begin() as connection:
        opt_out_address(connection, "telegram", "424242", service.engine.clock(), "blocked")
    _assert_withdrawal_of_the_grant(service, "telegram")
