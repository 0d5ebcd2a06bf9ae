"""SmsChannel against the local fake Twilio API: sending, errors, reconciling, rendering."""

from __future__ import annotations

import asyncio
import datetime
import socket
import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.dispatch.sending import PermanentSendError, TransientSendError
from bot.engine.messages import OutboundMessage
from bot.engine.render import Button
from bot.i18n.sms_encoding import Encoding
from bot.settings import Settings
from bot.tenants.phone import InvalidPhoneNumber, normalise_phone
from channels.registry import build_channels
from channels.sms.render import render_sms
from channels.sms.sender import SegmentPacer, SmsChannel, sender_id
from tests.support.fakes.twilio_api import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    FakeTwilioApi,
    LocalHttpClient,
    running_fake,
)

TENANT = "+447700900123"
BASE = "https://doorstep.example.org"


@pytest.fixture
def fake() -> Iterator[FakeTwilioApi]:
    with running_fake() as started:
        yield started


def channel(fake: FakeTwilioApi, **options: object) -> SmsChannel:
    settings: dict[str, object] = {"messaging_service_sid": MESSAGING_SERVICE_SID} | options
    return SmsChannel(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        public_base_url=BASE + "/",
        http_client=fake.http_client(),
        **settings,  # type: ignore[arg-type]
    )


def message(body: str = "Hello", language: str = "en", **options: object) -> OutboundMessage:
    return OutboundMessage(41, "sms", TENANT, body, language, **options)  # type: ignore[arg-type]


def test_send_goes_through_the_real_client_to_the_fake(fake: FakeTwilioApi) -> None:
    result = asyncio.run(channel(fake).send(message("Hi “there”")))
    (sent,) = fake.messages
    assert result.provider_id == sent.sid and sent.sid.startswith("SM")
    assert result.segments == 1
    assert sent.to == TENANT and sent.body == 'Hi "there"'
    assert sent.messaging_service_sid == MESSAGING_SERVICE_SID and sent.from_ is None
    assert sent.status_callback == f"{BASE}/webhooks/twilio/status?outbox=41"
    assert ("POST", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json") in fake.requests


def test_send_from_a_number_when_there_is_no_messaging_service(fake: FakeTwilioApi) -> None:
    sms = channel(fake, messaging_service_sid="", from_number="+447700900000")
    asyncio.run(sms.send(message()))
    (sent,) = fake.messages
    assert sent.from_ == "+447700900000" and sent.messaging_service_sid is None


@pytest.mark.parametrize(
    ("configure", "error", "code", "opted_out"),
    [
        (lambda f: f.opt_out(TENANT), PermanentSendError, "21610", True),
        (
            lambda f: f.fail_next(400, 21211, "Invalid 'To' +447700900123"),
            PermanentSendError,
            "21211",
            False,
        ),
        (lambda f: f.fail_next(401, 20003, "Authenticate"), PermanentSendError, "20003", False),
        (lambda f: f.fail_next(429, 20429, "Too many requests"), TransientSendError, "20429", None),
        (lambda f: f.fail_next(500, None, "Internal error"), TransientSendError, None, None),
        (lambda f: f.fail_next(503, 20503, "Unavailable"), TransientSendError, "20503", None),
        (lambda f: f.drop_next(), TransientSendError, None, None),
    ],
)
def test_twilio_errors_become_outbox_errors(
    fake: FakeTwilioApi, configure: object, error: type[Exception], code: str | None,
    opted_out: bool | None,
) -> None:  # fmt: skip
    assert callable(configure)
    configure(fake)
    with pytest.raises(error) as raised:
        asyncio.run(channel(fake).send(message()))
    assert getattr(raised.value, "code", None) == code
    if opted_out is not None:
        assert getattr(raised.value, "opted_out", None) is opted_out
    assert TENANT not in str(raised.value)  # Twilio's text may quote the number


def test_a_rate_limit_pauses_the_channel(fake: FakeTwilioApi) -> None:
    fake.fail_next(429, 20429, "Too many requests")
    with pytest.raises(TransientSendError) as raised:
        asyncio.run(channel(fake).send(message()))
    assert raised.value.retry_after == 1.0


def test_too_long_a_message_is_refused_before_twilio(fake: FakeTwilioApi) -> None:
    with pytest.raises(PermanentSendError):
        asyncio.run(channel(fake).send(message("x" * 1601)))
    assert fake.messages == []


def test_find_sent_recognises_a_message_twilio_already_has(fake: FakeTwilioApi) -> None:
    sms = channel(fake)
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    sent = asyncio.run(sms.send(message("Question 2?", buttons=(Button("1", "Yes"),))))
    found = asyncio.run(
        sms.find_sent(message("Question 2?", buttons=(Button("1", "Yes"),)), before)
    )
    assert found is not None and found.provider_id == sent.provider_id
    assert asyncio.run(sms.find_sent(message("Another text"), before)) is None
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    assert asyncio.run(sms.find_sent(message("Question 2?"), later)) is None
    assert sms.can_find_sent


def test_find_sent_does_not_guess_when_twilio_cannot_be_asked() -> None:
    unreachable = SmsChannel(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        public_base_url=BASE,
        messaging_service_sid=MESSAGING_SERVICE_SID,
        http_client=LocalHttpClient("http://127.0.0.1:9"),  # nothing listens there
    )
    since = datetime.datetime.now(datetime.UTC)
    with pytest.raises(TransientSendError):
        asyncio.run(unreachable.find_sent(message(), since))


def test_from_settings_needs_twilio_configured() -> None:
    plain = Settings(environment="test")
    assert SmsChannel.from_settings(plain) is None
    assert "sms" not in build_channels(plain)
    configured = plain.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_from": "07700 900000",
        }
    )
    sms = SmsChannel.from_settings(configured)
    assert sms is not None and sms.from_number == "+447700900000"
    assert sms.rate_limit.per_second == configured.sms_rate_per_second
    assert "sms" in build_channels(configured)
    without_sender = configured.model_copy(update={"twilio_from": ""})
    with pytest.raises(ValueError, match="DOORSTEP_TWILIO_MESSAGING_SERVICE_SID"):
        SmsChannel.from_settings(without_sender)


def test_sender_ids() -> None:
    assert sender_id("Riverside", "GB") == "Riverside"
    assert sender_id("+44 7700 900000", "GB") == "+447700900000"
    with pytest.raises(ValueError, match="DOORSTEP_TWILIO_FROM"):
        sender_id("+44 77", "GB")


def test_segments_are_paced_to_the_configured_rate() -> None:
    pacer = SegmentPacer(per_second=20)

    async def three_messages() -> float:
        began = time.monotonic()
        await asyncio.gather(pacer.wait(2), pacer.wait(2), pacer.wait(2))
        return time.monotonic() - began

    # Six parts at 20 a second: the third message may start no earlier than 0.2 s in.
    assert asyncio.run(three_messages()) >= 0.19


def test_options_are_numbered_lines_and_yes_no_is_left_to_the_text() -> None:
    options = (Button("1", "Very satisfied"), Button("2", "Fairly satisfied"))
    assert render_sms(message("How satisfied?", buttons=options)).body == (
        "How satisfied?\n1 Very satisfied\n2 Fairly satisfied"
    )
    yes_no = (Button("Yes", "Yes"), Button("No", "No"))
    assert render_sms(message("Agree? Reply YES or NO.", buttons=yes_no)).body == (
        "Agree? Reply YES or NO."
    )
    menu = "Reply with the number of your language:\n\n1 English\n2 Cymraeg"
    listed = (Button("1", "English"), Button("2", "Cymraeg"))
    assert render_sms(message(menu, buttons=listed)).body == menu


def test_typography_becomes_gsm7_where_the_language_allows() -> None:
    text = "We’re sorry – it’s “late”…"
    plain = render_sms(message(text))
    assert plain.body == "We're sorry - it's \"late\"..." and plain.encoding is Encoding.GSM7
    assert render_sms(message(text), gsm7_replacements=False).encoding is Encoding.UCS2
    # Chinese goes as UCS-2 anyway: its punctuation is left as written.
    chinese = render_sms(message("“您好”…", language="zh"))
    assert chinese.body == "“您好”…" and chinese.encoding is Encoding.UCS2
    # Welsh ŵ forces UCS-2; quotes are still plain when that costs no extra part.
    welsh = render_sms(message("Diolch – dŵr", language="cy"))
    assert welsh.body == "Diolch - dŵr" and welsh.encoding is Encoding.UCS2


def test_every_rendering_knows_its_encoding_and_parts() -> None:
    long_plain = render_sms(message("a" * 161))
    assert (long_plain.encoding, long_plain.segments, long_plain.units) == (Encoding.GSM7, 2, 161)
    arabic = render_sms(message("م" * 71, language="ar"))
    assert (arabic.encoding, arabic.segments) == (Encoding.UCS2, 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0) 7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw, "GB") == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("call me", "could not be read"),
        ("12345", "wrong number of digits"),
        ("+999 123 456", "country code"),
        ("0" * 60, "longer than"),
    ],
)
def test_invalid_phone_numbers_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match=reason) as raised:
        normalise_phone(raw, "GB")
    assert raw not in str(raised.value) or not raw


def test_the_default_client_reaching_for_twilio_fails_the_test(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Resolve api.twilio.com to a public address without asking DNS; connecting must fail.
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.7", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: public)
    real = SmsChannel(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        public_base_url=BASE,
        messaging_service_sid=MESSAGING_SERVICE_SID,
    )
    with pytest.raises(AssertionError, match="internet"):
        asyncio.run(real.send(message()))
