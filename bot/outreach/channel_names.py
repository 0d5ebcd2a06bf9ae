"""Each channel as people call it ("Web chat"), for every screen and report: never the code
the database stores ("webchat"). A tenant's stated preference may also name channels
Doorstep does not run (phone, letter)."""

from __future__ import annotations

from collections.abc import Mapping

CHANNEL_TITLES: Mapping[str, str] = {
    "sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "webchat": "Web chat",
    "web_chat": "Web chat", "email": "Email", "phone": "Phone", "letter": "Letter",
}  # fmt: skip


def channel_title(code: object) -> str:
    """The channel's name in words; an unknown code as it is."""
    return CHANNEL_TITLES.get(str(code), str(code))
