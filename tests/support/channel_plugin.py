"""A fake tenant on every channel, as a pytest plugin: one conversation test, four channels.

`channel_driver` is parametrised over SMS, WhatsApp, Telegram and web chat (and, through `service`,
over SQLite and PostgreSQL). Each driver talks to the real app the way that channel really
does and shows what the tenant would see:

- SMS: signed Twilio webhooks to `/webhooks/twilio/sms`; the outbox dispatcher sends the
  replies to the fake Twilio REST API (`tests/support/fakes/twilio_api.py`).
- WhatsApp: signed Twilio webhooks (`From=whatsapp:+44…`) to `/webhooks/twilio/whatsapp`;
  replies go to the fake Twilio API, which refuses free messages outside WhatsApp's 24-hour
  window; what the tenant sees of a template is its rendered text; choices are taps on
  quick-reply or list-picker buttons where the app sent them, else typed numbers.
- Telegram: update JSON posted to `/webhooks/telegram` with the secret-token header;
  replies go out through the dispatcher to the fake Bot API (`tests/support/fakes/telegram_api.py`);
  choices are taps on the inline buttons.
- Web chat: a browser (TestClient with its cookie) opening a personal invite link and
  posting the page's forms with their CSRF token; replies are what the page then shows.

Loaded from `tests/conftest.py` with `pytest_plugins = ["tests.support.channel_plugin"]`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Protocol

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.webchat.security import COOKIE
from bot.service import Service
from channels.registry import ChannelRegistry
from channels.sms.sender import SmsChannel
from channels.webchat import channel as webchat
from tests.support.fakes.telegram_api import BOT_USERNAME, FakeTelegramAPI, buttons
from tests.support.fakes.twilio_api import running_fake
from tests.support.services import Clock
from tests.support.telegram import CHAT, SECRET, Telegram
from tests.support.twilio import TENANT, Twilio, twilio_settings
from tests.support.webchat import after_of, csrf_of, invite_for, make_app, new_tenant
from tests.support.whatsapp import TENANT as WHATSAPP_TENANT
from tests.support.whatsapp import WhatsApp, build_whatsapp, register_templates

CHANNELS = ["sms", "whatsapp", "telegram", "webchat"]


class ChannelDriver(Protocol):
    """A tenant on one channel. Every call returns the text the tenant now sees (new only)."""

    @property
    def name(self) -> str:
        """The channel, as stored in `sessions.channel` and `channel_identities`."""
        ...

    @property
    def address(self) -> str:
        """The tenant's address on it: phone number, chat id, browser session digest."""
        ...

    @property
    def service(self) -> Service:
        """The service behind the app (its database holds what the tenant answered)."""
        ...

    def start_keyword_or_invite(self, questionnaire_id: str) -> str:
        """Open the questionnaire the way this channel lets a tenant open it."""
        ...

    def say(self, text: str) -> str:
        """Send `text` as the tenant types it, deliver what comes back, return it."""
        ...

    def choose(self, option_number: int) -> str:
        """Pick the numbered option of the current question the way this channel offers."""
        ...

    def deliver(self) -> str:
        """Deliver what the service queued by itself (a reminder, a campaign), return it."""
        ...

    def seen(self) -> list[str]:
        """Every message the tenant has been shown so far, oldest first."""
        ...


def _keyword(service: Service, questionnaire_id: str) -> str:
    keywords = service.registry.latest(questionnaire_id).keywords
    assert keywords, f"{questionnaire_id} has no keyword to start it by text"
    return keywords[0]


@dataclass
class SmsDriver:
    twilio: Twilio
    name: str = "sms"
    address: str = TENANT

    @property
    def service(self) -> Service:
        return self.twilio.service

    def start_keyword_or_invite(self, questionnaire_id: str) -> str:
        return self.say(_keyword(self.service, questionnaire_id))

    def say(self, text: str) -> str:
        before = len(self.seen())
        response = self.twilio.sms(text, sender=self.address)
        assert response.status_code == 200, response.text
        self.twilio.drain()
        return "\n\n".join(self.seen()[before:])

    def choose(self, option_number: int) -> str:
        return self.say(str(option_number))  # SMS has no buttons: the tenant types the number

    def deliver(self) -> str:
        before = len(self.seen())
        self.twilio.drain()
        return "\n\n".join(self.seen()[before:])

    def seen(self) -> list[str]:
        return self.twilio.texts_to(self.address)


@dataclass
class WhatsAppDriver:
    whatsapp: WhatsApp
    name: str = "whatsapp"
    address: str = WHATSAPP_TENANT

    @property
    def service(self) -> Service:
        return self.whatsapp.service

    def start_keyword_or_invite(self, questionnaire_id: str) -> str:
        return self.say(_keyword(self.service, questionnaire_id))

    def say(self, text: str) -> str:
        before = len(self.seen())
        response = self.whatsapp.message(text, sender=self.address)
        assert response.status_code == 200, response.text
        self.whatsapp.drain()
        return "\n\n".join(self.seen()[before:])

    def choose(self, option_number: int) -> str:
        last = self.whatsapp.fake.sent_to(f"whatsapp:{self.address}")[-1]
        if not last.buttons:
            return self.say(str(option_number))  # numbered text: the tenant types the number
        before = len(self.seen())
        response = self.whatsapp.tap(str(option_number), sender=self.address)
        assert response.status_code == 200, response.text
        self.whatsapp.drain()
        return "\n\n".join(self.seen()[before:])

    def deliver(self) -> str:
        before = len(self.seen())
        self.whatsapp.drain()
        return "\n\n".join(self.seen()[before:])

    def seen(self) -> list[str]:
        return self.whatsapp.texts_to(self.address)


@dataclass
class TelegramDriver:
    telegram: Telegram
    name: str = "telegram"
    address: str = str(CHAT)

    @property
    def service(self) -> Service:
        return self.telegram.service

    def start_keyword_or_invite(self, questionnaire_id: str) -> str:
        return self.say(_keyword(self.service, questionnaire_id))

    def say(self, text: str) -> str:
        before = len(self.seen())
        self.telegram.say(text)  # posts the update with the secret header, then delivers
        return "\n\n".join(self.seen()[before:])

    def choose(self, option_number: int) -> str:
        sent = self.telegram.fake.sent(CHAT)
        assert sent and "reply_markup" in sent[-1], "the last message has no buttons to tap"
        keys = buttons(sent[-1])
        numbered = [data for label, data in keys if label.startswith(f"{option_number} ")]
        assert numbered, f"no button labelled {option_number} among {keys}"
        before = len(sent)
        self.telegram.tap(numbered[0])  # a callback query on that message, then delivers
        return "\n\n".join(self.seen()[before:])

    def deliver(self) -> str:
        before = len(self.seen())
        self.telegram.deliver()
        return "\n\n".join(self.seen()[before:])

    def seen(self) -> list[str]:
        return [str(message["text"]) for message in self.telegram.fake.sent(CHAT)]


_FROM_THEM = re.compile(
    r'<div class="message from-them" id="m-(\d+)">.*?<div class="body"[^>]*>(.*?)</div>', re.S
)
_CHOICES = re.compile(r'<form class="choices".*?</form>', re.S)
_OPTION = re.compile(
    r'<button type="submit" class="option" name="reply" value="([^"]*)"[^>]*>(.*?)</button>', re.S
)


def page_messages(page: str) -> list[tuple[int, str]]:
    """(id, plain text) of each landlord message a chat page shows, oldest first."""
    found = []
    for message_id, body in _FROM_THEM.findall(page):
        text = body.replace("</p><p>", "\n\n").replace("<br>", "\n")
        found.append((int(message_id), html.unescape(re.sub(r"<[^>]+>", "", text))))
    return found


@dataclass
class WebChatDriver:
    client: TestClient
    service: Service
    name: str = webchat.CHANNEL
    page: str = ""
    shown: int = 0  # the id of the newest message the tenant has already read
    _history: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        token = self.client.cookies.get(COOKIE)
        assert token, "the browser has no chat session yet"
        return webchat.address_for(token)

    def start_keyword_or_invite(self, questionnaire_id: str) -> str:
        # A keyword starts nothing in web chat (the page offers its chooser instead), and a
        # named tenant's questionnaire is not open to everyone: they follow a personal link.
        token = invite_for(self.service, new_tenant(self.service), questionnaire_id)
        return self._read(self.client.get(f"/chat/{token}").text)

    def say(self, text: str) -> str:
        return self._post({"reply": text})

    def choose(self, option_number: int) -> str:
        form = _CHOICES.search(self.page)
        assert form, "the page shows no choice buttons"
        options = _OPTION.findall(form[0])
        assert 0 < option_number <= len(options), f"no option {option_number} in {options}"
        value, _label = options[option_number - 1]
        return self._post({"reply": html.unescape(value)})  # the button's name and value

    def deliver(self) -> str:
        return self._read(self.client.get("/chat").text)  # the page shows what is queued

    def seen(self) -> list[str]:
        return list(self._history)

    def _post(self, fields: dict[str, str]) -> str:
        data = {"csrf": csrf_of(self.page), "after": after_of(self.page), **fields}
        response = self.client.post("/chat/reply", data=data)  # a 303 back to the page
        assert response.status_code == 200, response.text
        return self._read(response.text)

    def _read(self, page: str) -> str:
        """The new messages, then the labels of the answer buttons under the last one."""
        self.page = page
        shown = page_messages(page)
        new = [text for number, text in shown if number > self.shown]
        if new:
            self.shown = shown[-1][0]
            form = _CHOICES.search(page)
            if form:  # the page shows the options as buttons, not in the message
                labels = [html.unescape(label) for _, label in _OPTION.findall(form[0])]
                new[-1] = "\n".join([new[-1], *labels])
        self._history.extend(new)
        return "\n\n".join(new)


def _sms(service: Service, clock: Clock, stack: ExitStack) -> SmsDriver:
    settings = twilio_settings(service.settings)
    fake = stack.enter_context(running_fake(clock=clock))
    channel = SmsChannel.from_settings(settings, http_client=fake.http_client())
    assert channel is not None
    app = create_app(settings, service, ChannelRegistry([channel]), background=False)
    client = stack.enter_context(TestClient(app))
    return SmsDriver(Twilio(client, fake, channel, service, clock))


def _whatsapp(service: Service, clock: Clock, stack: ExitStack) -> WhatsAppDriver:
    fake = stack.enter_context(running_fake(clock=clock))
    register_templates(fake)
    settings, channel = build_whatsapp(service, clock, fake)
    app = create_app(settings, service, ChannelRegistry([channel]), background=False)
    client = stack.enter_context(TestClient(app))
    return WhatsAppDriver(WhatsApp(client, fake, channel, service, clock))


def _telegram(service: Service, stack: ExitStack) -> TelegramDriver:
    fake = FakeTelegramAPI().start()
    stack.callback(fake.stop)
    settings = service.settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(fake.token),
            "telegram_secret_token": SecretStr(SECRET),
            "telegram_api_base_url": fake.base_url,
            "telegram_bot_username": BOT_USERNAME,
        }
    )
    tg_service = Service(settings, service.database, service.registry, service.engine)
    app = create_app(settings, tg_service, ChannelRegistry(), background=False)
    client = stack.enter_context(TestClient(app))
    return TelegramDriver(Telegram(client, fake, tg_service))


def _webchat(service: Service, stack: ExitStack) -> WebChatDriver:
    client = stack.enter_context(TestClient(make_app(service), follow_redirects=True))
    return WebChatDriver(client, service)


@pytest.fixture(params=CHANNELS)
def channel_driver(
    request: pytest.FixtureRequest, service: Service, clock: Clock
) -> Iterator[ChannelDriver]:
    """A tenant on SMS, WhatsApp, Telegram or web chat, talking to a fresh app and fake."""
    with ExitStack() as stack:
        driver: ChannelDriver
        if request.param == "sms":
            driver = _sms(service, clock, stack)
        elif request.param == "whatsapp":
            driver = _whatsapp(service, clock, stack)
        elif request.param == "telegram":
            driver = _telegram(service, stack)
        else:
            driver = _webchat(service, stack)
        yield driver
