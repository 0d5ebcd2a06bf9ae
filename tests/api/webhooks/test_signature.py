"""The webhook signature check decides exactly as Twilio's own RequestValidator."""

from __future__ import annotations

import random

import pytest
from pydantic import SecretStr
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from twilio.request_validator import RequestValidator

from api.webhooks import signature as signature_module
from api.webhooks.signature import is_signed
from api.webhooks.twilio import public_url
from bot.settings import Settings

TOKEN = "test-auth-token"
URLS = [
    "https://doorstep.example/webhooks/twilio/sms",
    "https://doorstep.example:443/webhooks/twilio/sms",
    "http://doorstep.example/webhooks/twilio/status?outbox=12",
    "http://127.0.0.1:8000/webhooks/twilio/sms",
    "https://doorstep.example:8443/webhooks/twilio/whatsapp",
]
FORMS = [
    [],
    [("Body", "")],
    [("MessageSid", "SM1"), ("From", "+447700900001"), ("Body", "yes")],
    [("Body", "Zoë's flat: damp — 2 rooms"), ("From", "whatsapp:+447700900002")],
    [("Media", "b"), ("Media", "a"), ("Media", "b"), ("A", "z")],  # repeated names and pairs
    [("B", "1"), ("A", "2"), ("AB", ""), ("a", "1")],
]


def _twilio_decides(url: str, form: list[tuple[str, str]], signature: str) -> bool:
    return bool(RequestValidator(TOKEN).validate(url, ImmutableMultiDict(form), signature))


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("form", FORMS)
def test_accepts_what_twilio_signs_with_and_without_the_port(
    url: str, form: list[tuple[str, str]]
) -> None:
    validator = RequestValidator(TOKEN)
    for signed_url in {url, url.replace(":443/", "/"), url.replace("example/", "example:443/")}:
        signature = validator.compute_signature(signed_url, ImmutableMultiDict(form))
        assert is_signed(TOKEN, url, form, signature) == _twilio_decides(url, form, signature)
        if signed_url == url:
            assert is_signed(TOKEN, url, form, signature)


@pytest.mark.parametrize("url", URLS)
def test_refuses_what_twilio_refuses(url: str) -> None:
    form = [("MessageSid", "SM1"), ("From", "+447700900001"), ("Body", "yes")]
    good = RequestValidator(TOKEN).compute_signature(url, dict(form))
    forged = [
        "",
        good[:-2] + "AA",
        RequestValidator("another-token").compute_signature(url, dict(form)),
        RequestValidator(TOKEN).compute_signature(url, {**dict(form), "Body": "no"}),
        RequestValidator(TOKEN).compute_signature(url + "x", dict(form)),
        good + " ",
        "é" * len(good),
    ]
    for signature in forged:
        assert not is_signed(TOKEN, url, form, signature)
        assert not _twilio_decides(url, form, signature)


def test_random_forms_agree_with_twilio() -> None:
    chance = random.Random(17)
    alphabet = "aAbB1 +é&=%€"
    for _ in range(200):
        form = [
            (
                "".join(chance.choices(alphabet, k=chance.randint(1, 3))),
                "".join(chance.choices(alphabet, k=chance.randint(0, 4))),
            )
            for _ in range(chance.randint(0, 6))
        ]
        url = chance.choice(URLS)
        signature = RequestValidator(TOKEN).compute_signature(url, ImmutableMultiDict(form))
        if chance.random() < 0.3:
            signature = signature[::-1]
        assert is_signed(TOKEN, url, form, signature) == _twilio_decides(url, form, signature)


@pytest.mark.parametrize(
    "url",
    ["https://housing.example/webhooks/twilio/sms", "http://127.0.0.1:8000/webhooks/twilio/sms"],
)
def test_a_request_signed_for_the_configured_url_needs_one_hmac(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = [("From", "+447700900001"), ("Body", "yes")]
    signature = RequestValidator(TOKEN).compute_signature(url, dict(fields))
    computed: list[str] = []
    real = signature_module._signature
    monkeypatch.setattr(
        signature_module, "_signature", lambda key, text: computed.append(text) or real(key, text)
    )
    assert is_signed(TOKEN, url, fields, signature)
    assert len(computed) == 1 and computed[0].startswith(url)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/webhooks/twilio/sms", b""),
        ("/webhooks/twilio/status", b"outbox=12"),
        ("/webhooks/twilio/status", b"outbox=12&x=a%20b"),
        ("/webhooks/odd?path#with\\marks", b"q=1"),
    ],
)
def test_the_signed_address_is_the_one_starlette_would_build(path: str, query: bytes) -> None:
    settings = Settings(
        environment="test",
        database_url="sqlite://",
        public_base_url="https://doorstep.example/",
        twilio_auth_token=SecretStr(TOKEN),
    )
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"10.0.0.5:8000")],
        "scheme": "http",
        "server": ("10.0.0.5", 8000),
    }
    url = Request(scope).url
    expected = "https://doorstep.example" + url.path + (f"?{url.query}" if url.query else "")
    assert public_url(Request(scope), settings) == expected
