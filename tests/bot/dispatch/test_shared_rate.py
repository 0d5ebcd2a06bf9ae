"""Provider limits across dispatchers: the shared schedule books per SMS part."""

from __future__ import annotations

import asyncio
import datetime
import threading

from sqlalchemy import insert, select

from bot.dispatch.dispatcher import Dispatcher
from bot.service import Service
from bot.storage.models import utcnow
from bot.storage.tables import OUTBOUND, RESPONDENTS
from channels.sms.sender import SmsChannel
from tests.support.fakes.twilio_api import running_fake
from tests.support.twilio import twilio_settings

RATE = 10  # SMS parts a second
COUNT = 24  # more than one dispatcher claims in a round (2 s of the rate: 20 messages)
FOUR_PARTS = "Your repair survey. " * 24  # 480 GSM-7 characters: four parts


def _queue(service: Service, count: int) -> None:
    now = datetime.datetime.now(datetime.UTC)
    with service.database.engine.begin() as connection:
        respondent = connection.execute(
            insert(RESPONDENTS).values(created_at=now).returning(RESPONDENTS.c.id)
        ).scalar_one()
        connection.execute(
            insert(OUTBOUND),
            [
                {"respondent_id": respondent, "channel": "sms", "language": "en",
                 "address": f"+44770090{number:04d}", "body": FOUR_PARTS, "buttons": [],
                 "status": "pending", "due_at": now, "created_at": now}
                for number in range(count)
            ],
        )  # fmt: skip


def test_two_dispatchers_sending_four_part_sms_stay_within_the_rate_every_second(
    service: Service,
) -> None:
    _queue(service, COUNT)
    settings = twilio_settings(service.settings).model_copy(
        update={"sms_rate_per_second": float(RATE)}
    )
    with running_fake() as fake:

        def work(name: str) -> None:
            channel = SmsChannel.from_settings(settings, http_client=fake.http_client())
            assert channel is not None
            dispatcher = Dispatcher(service.database, {"sms": channel}, clock=utcnow, worker=name)
            asyncio.run(dispatcher.drain(timeout=60))

        workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
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
