"""Email settings: a usable SMTP URL and a From address, and no password sent unencrypted
in production; each problem is one sentence naming its variable, never the password."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from bot.settings_checks import settings_error_sentences, smtp_description

PRODUCTION = {
    "environment": "production",
    "secret_key": "q8ZfT1vKx3mN7pLw2RbY9cHs5JdGe0Ua4XoVi6Ek",
    "public_base_url": "https://survey.example-housing.org.uk",
    "email_from": "Riverside Homes <surveys@riverside.example>",
}


def refusal(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(**values)  # type: ignore[arg-type]
    (sentence,) = settings_error_sentences(caught.value)
    return sentence


@pytest.mark.parametrize("url", ["http://mail.example.org", "mail.example.org:587", "smtp://"])
def test_an_smtp_url_that_is_not_one_is_refused_by_name(url: str) -> None:
    sentence = refusal(smtp_url=url, email_from="a@b.org")
    assert sentence.startswith("DOORSTEP_SMTP_URL must look like smtp://")


def test_an_smtp_url_needs_a_from_address() -> None:
    assert refusal(smtp_url="smtp://127.0.0.1:25").startswith("DOORSTEP_EMAIL_FROM must be set")


def test_production_refuses_a_password_sent_without_encryption() -> None:
    url = "smtp://user:s3cret-Pa55@mail.example.org:587"
    sentence = refusal(**PRODUCTION, smtp_url=url)
    assert "unencrypted" in sentence and "s3cret" not in sentence
    for safe in (f"{url}?starttls=1", "smtps://user:s3cret-Pa55@mail.example.org"):
        assert Settings(**PRODUCTION, smtp_url=safe).email_enabled  # type: ignore[arg-type]


def test_the_description_names_host_port_and_encryption_only() -> None:
    said = smtp_description("smtp://user:pw@mail.example.org:587?starttls=true")
    assert said == "Email goes through the SMTP server mail.example.org port 587 (STARTTLS)."
    assert "port 465 (TLS)" in smtp_description("smtps://mail.example.org")
