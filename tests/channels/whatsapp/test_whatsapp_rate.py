"""WhatsApp's rate across dispatchers: the shared schedule books one slot per message."""

from __future__ import annotations

from bot.service import Service
from channels.whatsapp.sender import WhatsAppChannel
from tests.support.dispatching import drain_side_by_side, queue_pending
from tests.support.fakes.twilio_api import running_fake
from tests.support.whatsapp import register_templates, whatsapp_settings

RATE = 5  # WhatsApp messages a second
COUNT = 14  # more than one dispatcher claims in a round (2 s of the rate: 10 messages)
LONG = "Your repair survey. " * 24  # four SMS parts, but one WhatsApp message


def test_two_dispatchers_stay_within_the_whatsapp_rate_every_second(service: Service) -> None:
    queue_pending(service, "whatsapp", LONG, COUNT, purpose="invitation")
    settings = whatsapp_settings(service.settings).model_copy(
        update={"whatsapp_rate_per_second": float(RATE)}
    )
    with running_fake() as fake:
        register_templates(fake)

        def sender() -> WhatsAppChannel:
            channel = WhatsAppChannel.from_settings(
                settings, service.database, http_client=fake.http_client()
            )
            assert channel is not None
            return channel

        drain_side_by_side(service, "whatsapp", sender)
        moments = sorted(message.received for message in fake.messages)
    assert len(moments) == COUNT
    worst = max(sum(1 for other in moments if start <= other < start + 1.0) for start in moments)
    assert worst <= RATE
    assert moments[-1] - moments[0] >= (COUNT - RATE) / RATE  # one slot a message
