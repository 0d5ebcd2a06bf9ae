"""What the SMS tests share: Twilio settings, the fake API, the app, signed webhooks."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy import select

from api.app import create_app
from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import Base
from channels.registry import ChannelRegistry
from channels.sms.sender import SmsChannel
from tests.support.fakes.twilio_api import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    FakeTwilioApi,
    running_fake,
    signature,
)
from tests.support.services import Clock

PUBLIC = "https://doorstep.example.org"
OUR_NUMBER = "+447700900000"
TENANT = "+447700900123"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def twilio_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_messaging_service_sid": MESSAGING_SERVICE_SID,
            "public_base_url": PUBLIC,
        }
    )


@dataclass
class Twilio:
    """A signed-webhook sender plus the fake REST API, around one app."""

    client: TestClient
    fake: FakeTwilioApi
    channel: SmsChannel
    service: Service
    clock: Clock

    def post(self, path: str, form: dict[str, str], *, sign_url: str | None = None) -> Response:
        url = sign_url or PUBLIC + path
        headers = {"X-Twilio-Signature": signature(url, form)}
        return self.client.post(path, data=form, headers=headers)

    def sms(
        self, text: str, *, sender: str = TENANT, sid: str | None = None, **extra: str
    ) -> Response:
        sid = sid or new_sid()
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "MessagingServiceSid": MESSAGING_SERVICE_SID,
            "From": sender,
            "To": OUR_NUMBER,
            "Body": text,
            "NumMedia": "0",
            "NumSegments": "1",
            **extra,
        }
        return self.post("/webhooks/twilio/sms", form)

    def status(self, path_and_query: str, sid: str, status: str, **extra: str) -> Response:
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": TENANT,
            **extra,
        }
        return self.post(path_and_query, form)

    def drain(self) -> DispatchStats:
        dispatcher = Dispatcher(self.service.database, {"sms": self.channel}, clock=self.clock)
        return asyncio.run(dispatcher.drain())

    def texts_to(self, number: str = TENANT) -> list[str]:
        return [message.body for message in self.fake.sent_to(number)]

    def rows(self, model: type[Base]) -> list[object]:
        with self.service.database.sessions() as session:
            return list(session.scalars(select(model)))


@pytest.fixture(name="twilio")
def twilio_fixture(service: Service, clock: Clock) -> Iterator[Twilio]:
    """Import `twilio_fixture` into a test module to use the `twilio` fixture."""
    settings = twilio_settings(service.settings)
    with running_fake(clock=clock) as fake:
        channel = SmsChannel.from_settings(settings, http_client=fake.http_client())
        assert channel is not None
        app = create_app(settings, service, ChannelRegistry([channel]), background=False)
        with TestClient(app) as client:
            yield Twilio(client, fake, channel, service, clock)
