"""What the WhatsApp tests share: settings with templates, the fake API, signed webhooks.

`WhatsApp.message` posts a signed inbound webhook (`From=whatsapp:+44…`) the way Twilio
does, and tells the fake Twilio API that the tenant wrote, so the fake's 24-hour window
opens exactly as WhatsApp's would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.service import Service
from bot.settings import Settings
from channels.registry import ChannelRegistry
from channels.whatsapp.sender import WhatsAppChannel
from channels.whatsapp.templates import TEMPLATE_TEXTS
from tests.support.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi, running_fake, signature
from tests.support.services import Clock
from tests.support.twilio import PUBLIC, twilio_settings

OUR_WHATSAPP = "+447700900001"
TENANT = "+447700900456"
INBOUND_PATH = "/webhooks/twilio/whatsapp"
STATUS_PATH = "/webhooks/twilio/whatsapp/status"
TEMPLATES = {
    "invitation": {"en": "HX" + "1" * 32, "cy": "HX" + "c1" * 16},
    "reminder": {"en": "HX" + "2" * 32},
    "reopen": {"en": "HX" + "3" * 32},
}
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids) + 10**6:032x}"


def whatsapp_settings(
    settings: Settings, templates: dict[str, dict[str, str]] | None = None
) -> Settings:
    return twilio_settings(settings).model_copy(
        update={
            "whatsapp_from": OUR_WHATSAPP,
            "whatsapp_templates": TEMPLATES if templates is None else templates,
        }
    )


def register_templates(fake: FakeTwilioApi) -> None:
    """The fake renders each template with its English words, as WhatsApp would."""
    for purpose, languages in TEMPLATES.items():
        for sid in languages.values():
            fake.contents[sid] = TEMPLATE_TEXTS[purpose]


@dataclass
class WhatsApp:
    client: TestClient
    fake: FakeTwilioApi
    channel: WhatsAppChannel
    service: Service
    clock: Clock

    def post(self, path: str, form: dict[str, str], *, token: str | None = None) -> Response:
        headers = {
            "X-Twilio-Signature": signature(PUBLIC + path, form, *([token] if token else []))
        }
        return self.client.post(path, data=form, headers=headers)

    def message(self, text: str, *, sender: str = TENANT, **extra: str) -> Response:
        sid = new_sid()
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": f"whatsapp:{sender}",
            "To": f"whatsapp:{OUR_WHATSAPP}",
            "Body": text,
            "NumMedia": "0",
            "ProfileName": "Tenant",
            "WaId": sender.lstrip("+"),
            **extra,
        }
        response = self.post(INBOUND_PATH, form)
        if response.status_code == 200:
            self.fake.heard_from(sender)
        return response

    def status(self, outbox_id: int, sid: str, status: str, **extra: str) -> Response:
        form = {
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "MessageStatus": status,
            "To": f"whatsapp:{TENANT}",
            "From": f"whatsapp:{OUR_WHATSAPP}",
            **extra,
        }
        return self.post(f"{STATUS_PATH}?outbox={outbox_id}", form)

    def drain(self) -> DispatchStats:
        dispatcher = Dispatcher(self.service.database, {"whatsapp": self.channel}, clock=self.clock)
        return asyncio.run(dispatcher.drain())

    def texts_to(self, number: str = TENANT) -> list[str]:
        """What the tenant sees of each message: its text, then its buttons' titles."""
        return [
            "\n".join([message.body, *(title for _, title in message.buttons)])
            for message in self.fake.sent_to(f"whatsapp:{number}")
        ]

    def tap(self, reply: str, *, sender: str = TENANT) -> Response:
        """Tap the button of the last message whose id is `reply`, as WhatsApp sends it."""
        last = self.fake.sent_to(f"whatsapp:{sender}")[-1]
        titles = dict(last.buttons)
        assert reply in titles, f"no button {reply!r} among {last.buttons}"
        return self.message(
            titles[reply], sender=sender, ButtonPayload=reply, ButtonText=titles[reply]
        )


def build_whatsapp(
    service: Service, clock: Clock, fake: FakeTwilioApi
) -> tuple[Settings, WhatsAppChannel]:
    settings = whatsapp_settings(service.settings)
    channel = WhatsAppChannel.from_settings(
        settings, service.database, http_client=fake.http_client(), clock=clock
    )
    assert channel is not None
    return settings, channel


@pytest.fixture(name="whatsapp")
def whatsapp_fixture(service: Service, clock: Clock) -> Iterator[WhatsApp]:
    """Import `whatsapp_fixture` into a test module to use the `whatsapp` fixture."""
    with running_fake(clock=clock) as fake:
        register_templates(fake)
        settings, channel = build_whatsapp(service, clock, fake)
        app = create_app(settings, service, ChannelRegistry([channel]), background=False)
        with TestClient(app) as client:
            yield WhatsApp(client, fake, channel, service, clock)
