"""Production refuses made-up secrets and an http public URL, one sentence per variable;
`doorstep` prints those sentences instead of a traceback. Development keeps its defaults."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from api.cli.main import main
from bot.settings import Settings, get_settings
from bot.settings_checks import estimated_bits, settings_error_sentences

# Fixed values that pass (tests must not depend on chance).
GOOD_SECRET = "q8ZfT1vKx3mN7pLw2RbY9cHs5JdGe0Ua4XoVi6Ek"
GOOD_TELEGRAM = "Hq3_zP9-kW2mXr7Ty5Lb"
GOOD_TWILIO = "3fa85f6457174562b3fc2c963f66afa6"
GOOD = {
    "environment": "production",
    "secret_key": GOOD_SECRET,
    "public_base_url": "https://survey.example-housing.org.uk",
    "telegram_bot_token": "123456:ABC",
    "telegram_secret_token": GOOD_TELEGRAM,
    "twilio_account_sid": "AC0123",
    "twilio_auth_token": GOOD_TWILIO,
}


def refusal(**changes: object) -> str:
    """The one sentence production gives for these changes to a good configuration."""
    with pytest.raises(ValidationError) as caught:
        Settings(**{**GOOD, **changes})  # type: ignore[arg-type]
    sentences = settings_error_sentences(caught.value)
    assert len(sentences) == 1, sentences
    return sentences[0]


def test_a_good_production_configuration_is_accepted() -> None:
    settings = Settings(**GOOD)  # type: ignore[arg-type]
    assert settings.sms_enabled and settings.telegram_enabled


def test_development_still_accepts_every_default() -> None:
    Settings(environment="development")
    Settings(environment="test", secret_key=" " * 40, public_base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("secret", "says"),
    [
        (" " * 40, "looks made up"),
        ("a" * 32, "looks made up"),
        ("", "looks made up"),
        ("development-only-secret-change-me", "development value"),
        ("short-secret", "too short"),
        ("  " + GOOD_SECRET[:20] + "  " * 10, "too short"),  # spaces do not count
        ("abcdefghijklmnopqrstuvwxyz0123456789", "too easy to guess"),
        ("password" * 5, "too easy to guess"),
        ("ab" * 20, "too easy to guess"),
    ],
)
def test_a_made_up_secret_key_is_refused_by_name(secret: str, says: str) -> None:
    sentence = refusal(secret_key=secret)
    assert sentence.startswith("DOORSTEP_SECRET_KEY ") and says in sentence
    assert "secrets.token_urlsafe" in sentence and sentence.endswith(".")


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("x", "too short"),
        ("", "is not set"),
        ("x" * 20, "too easy to guess"),
        ("abcdefghijklmnopqrst", "too easy to guess"),
        ("Hq3 zP9-kW2mXr7Ty5Lb", "characters Telegram refuses"),
        ("Hq3_zP9-kW2mXr7Ty5Lb/", "characters Telegram refuses"),
        ("H" * 257, "characters Telegram refuses"),
    ],
)
def test_a_weak_telegram_secret_is_refused_by_name(token: str, says: str) -> None:
    sentence = refusal(telegram_secret_token=token)
    assert sentence.startswith("DOORSTEP_TELEGRAM_SECRET_TOKEN ") and says in sentence


def test_the_telegram_secret_is_only_required_with_telegram_on() -> None:
    Settings(**{**GOOD, "telegram_bot_token": "", "telegram_secret_token": ""})  # type: ignore[arg-type]


@pytest.mark.parametrize("token", ["x", "0" * 32, GOOD_TWILIO[:31], GOOD_TWILIO + "0", "g" * 32])
def test_a_twilio_token_that_is_not_a_real_one_is_refused_by_name(token: str) -> None:
    sentence = refusal(twilio_auth_token=token)
    assert sentence.startswith("DOORSTEP_TWILIO_AUTH_TOKEN ") and "32 hexadecimal" in sentence


def test_the_twilio_token_is_only_checked_with_sms_on() -> None:
    Settings(**{**GOOD, "twilio_account_sid": "", "twilio_auth_token": "x"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://survey.example.org", "survey.example.org", "https://", "ftp://example.org"]
)
def test_a_public_url_without_https_is_refused_by_name(url: str) -> None:
    sentence = refusal(public_base_url=url)
    assert sentence.startswith("DOORSTEP_PUBLIC_BASE_URL ") and "https://" in sentence


def test_the_issue_configuration_gets_one_sentence_per_variable() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(
            **{  # type: ignore[arg-type]
                **GOOD,
                "secret_key": " " * 40,
                "telegram_secret_token": "x",
                "twilio_auth_token": "x",
                "public_base_url": "http://survey.example.org",
            }
        )
    names = [sentence.split()[0] for sentence in settings_error_sentences(caught.value)]
    assert names == [
        "DOORSTEP_SECRET_KEY",
        "DOORSTEP_PUBLIC_BASE_URL",
        "DOORSTEP_TELEGRAM_SECRET_TOKEN",
        "DOORSTEP_TWILIO_AUTH_TOKEN",
    ]


def test_random_secrets_score_well_above_the_bar() -> None:
    assert estimated_bits(GOOD_SECRET) > 150
    assert estimated_bits("0123456789abcdef" * 2) < 20  # a run in order scores low
    assert estimated_bits("a") == 0 and estimated_bits("xyxyxy") == 0


@pytest.fixture
def clean_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_serve_prints_the_sentences_not_a_traceback(
    clean_settings: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOORSTEP_ENVIRONMENT", "production")
    monkeypatch.setenv("DOORSTEP_SECRET_KEY", " " * 40)
    monkeypatch.setenv("DOORSTEP_PUBLIC_BASE_URL", "http://survey.example.org")
    monkeypatch.setattr(sys, "argv", ["doorstep", "serve"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split()[0] for line in lines] == [
        "DOORSTEP_SECRET_KEY",
        "DOORSTEP_PUBLIC_BASE_URL",
    ]
    assert "Traceback" not in "".join(lines) and "validation error" not in "".join(lines)


def test_a_badly_typed_setting_is_named_in_a_sentence(
    clean_settings: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOORSTEP_PORT", "eighty")
    monkeypatch.setattr(sys, "argv", ["doorstep", "db", "upgrade"])
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err.startswith("DOORSTEP_PORT is not valid: input should be")


def test_whatsapp_templates_are_checked_with_a_sentence_each() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(whatsapp_templates={"invite": {"en": "HX" + "1" * 32}, "reminder": {"cy": "x"}})
    sentences = " ".join(settings_error_sentences(raised.value))
    assert "names 'invite', which is not something Doorstep sends" in sentences
    assert "reminder template in 'cy' a Content SID that is not one" in sentences
    fine = Settings(whatsapp_templates={"invitation": {"en": "HX" + "a" * 32}})
    assert fine.whatsapp_templates["invitation"]["en"].startswith("HX")


def test_whatsapp_needs_its_sender_and_the_twilio_account() -> None:
    account = {"twilio_account_sid": "AC" + "0" * 32, "twilio_auth_token": GOOD_TWILIO}
    assert "whatsapp" not in Settings(**account).sending_channels
    whatsapp_only = Settings(**account, whatsapp_from="+447700900001")
    assert whatsapp_only.sending_channels == {"whatsapp"}  # no SMS sender: no SMS
    assert Settings(**account, whatsapp_from="+447700900001", twilio_from="+447700900000")
