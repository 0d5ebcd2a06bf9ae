"""`doorstep check`: whether this configuration can do its work, in sentences.

Each line says what is set up and what is not; email is also tried (the SMTP server must
answer and accept the login). Exit 1 when something configured does not work.
"""

from __future__ import annotations

import typer
from rich.console import Console

from bot.settings import get_settings
from channels.email.smtp import reachability
from channels.whatsapp.templates import PURPOSE_NAMES

out = Console(highlight=False, soft_wrap=True)


def check_command() -> None:
    """Say which channels are set up, and whether the mail server answers."""
    settings = get_settings()
    out.print(
        "SMS (Twilio) is on." if settings.sms_enabled else "SMS is off: set DOORSTEP_TWILIO_*."
    )
    out.print(whatsapp_sentence(settings.whatsapp_enabled, settings.whatsapp_templates))
    out.print(
        "Telegram is on."
        if settings.telegram_enabled
        else "Telegram is off: set DOORSTEP_TELEGRAM_BOT_TOKEN."
    )
    working, sentence = reachability(settings.smtp_url.get_secret_value())
    out.print(sentence)
    if settings.email_enabled and not settings.email_webhook_token.get_secret_value():
        out.print(
            "Bounce reports: DOORSTEP_EMAIL_WEBHOOK_TOKEN is not set, so "
            "POST /webhooks/email/bounce refuses every report; only refusals at sending "
            "time mark an address failed."
        )
    if settings.email_enabled and not working:
        raise typer.Exit(1)


def whatsapp_sentence(enabled: bool, templates: dict[str, dict[str, str]]) -> str:
    """Whether WhatsApp is on, and which message templates it can send outside the
    24-hour window (invitations and reminders always need one)."""
    if not enabled:
        return "WhatsApp is off: set DOORSTEP_WHATSAPP_FROM (with the Twilio settings)."
    parts = []
    for purpose, name in PURPOSE_NAMES.items():
        languages = sorted(templates.get(purpose, {}))
        parts.append(f"{name} in {', '.join(languages)}" if languages else f"no {name}")
    return (
        f"WhatsApp (Twilio) is on. Templates: {'; '.join(parts)}. "
        "`doorstep whatsapp templates` lists the texts to submit."
    )
