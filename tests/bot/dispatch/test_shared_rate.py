"""Provider limits across dispatchers: the shared schedule books per SMS part."""

from __future__ import annotations

from sqlalchemy import select

from bot.service import Service
from bot.storage.tables import OUTBOUND
from channels.sms.sender import SmsChannel
from tests.support.dispatching import drain_side_by_side, queue_pending
from tests.support.fakes.twilio_api import running_fake
from tests.support.twilio import twilio_settings

RATE = 10  # SMS parts a second
COUNT = 24  # more than one dispatcher claims in a round (2 s of the rate: 20 messages)
FOUR_PARTS = "Your repair survey. " * 24  # 480 GSM-7 characters: four parts


def test_two_dispatchers_sending_four_part_sms_stay_within_the_rate_every_second(
    service: Service,
) -> None:
    queue_pending(service, "sms", FOUR_PARTS, COUNT)
    settings = twilio_settings(service.settings).model_copy(
        update={"sms_rate_per_second": float(RATE)}
    )
    with running_fake() as fake:

        def sender() -> SmsChannel:
            channel = SmsChannel.from_settings(settings, http_client=fake.http_client())
            assert channel is not None
            return channel

        drain_side_by_side(service, "sms", sender)
        sent = sorted((message.received, message.segments) for message in fake.messages)
    assert len(sent) == COUNT and {segments for _, segments in sent} == {4}
    worst = max(
        sum(parts for moment, parts in sent if start <= moment < start + 1.0) for start, _ in sent
    )
    assert worst <= RATE
    with service.database.engine.connect() as connection:
        senders = set(connection.execute(select(OUTBOUND.c.claimed_by)).scalars())
    # Usually both send; on a loaded machine one may claim every row first. The rate holds
    # either way because the booking is shared through the database, not per worker.
    assert senders and senders <= {"w0", "w1"}
    elapsed = sent[-1][0] - sent[0][0]
    assert elapsed >= (COUNT * 4 - RATE) / RATE  # paced by parts, not by messages
