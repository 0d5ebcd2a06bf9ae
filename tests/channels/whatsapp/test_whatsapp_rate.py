"""WhatsApp's rate across dispatchers: the shared schedule books one slot per message."""

from __future__ import annotations

import asyncio
import datetime
import threading

from sqlalchemy import insert

from bot.dispatch.dispatcher import Dispatcher
from bot.service import Service
from bot.storage.models import utcnow
from bot.storage.tables import OUTBOUND, RESPONDENTS
from channels.whatsapp.sender import WhatsAppChannel
from tests.support.fakes.twilio_api import running_fake
from tests.support.whatsapp import register_templates, whatsapp_settings

RATE = 5  # WhatsApp messages a second
COUNT = 14  # more than one dispatcher claims in a round (2 s of the rate: 10 messages)
LONG = "Your repair survey. " * 24  # four SMS parts, but one WhatsApp message


def _queue(service: Service) -> None:
    now = datetime.datetime.now(datetime.UTC)
    with service.database.engine.begin() as connection:
        respondent = connection.execute(
            insert(RESPONDENTS).values(created_at=now).returning(RESPONDENTS.c.id)
        ).scalar_one()
        connection.execute(
            insert(OUTBOUND),
            [
                {"respondent_id": respondent, "channel": "whatsapp", "language": "en",
                 "address": f"+44770090{number:04d}", "body": LONG, "buttons": [],
                 "purpose": "invitation", "status": "pending", "due_at": now, "created_at": now}
                for number in range(COUNT)
            ],
        )  # fmt: skip


def test_two_dispatchers_stay_within_the_whatsapp_rate_every_second(service: Service) -> None:
    _queue(service)
    settings = whatsapp_settings(service.settings).model_copy(
        update={"whatsapp_rate_per_second": float(RATE)}
    )
    with running_fake() as fake:
        register_templates(fake)

        def work(name: str) -> None:
            channel = WhatsAppChannel.from_settings(
                settings, service.database, http_client=fake.http_client()
            )
            assert channel is not None
            dispatcher = Dispatcher(
                service.database, {"whatsapp": channel}, clock=utcnow, worker=name
            )
            asyncio.run(dispatcher.drain(timeout=60))

        workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        moments = sorted(message.received for message in fake.messages)
    assert len(moments) == COUNT
    worst = max(sum(1 for other in moments if start <= other < start + 1.0) for start in moments)
    assert worst <= RATE
    assert moments[-1] - moments[0] >= (COUNT - RATE) / RATE  # one slot a message
