"""What goes into and comes out of the engine, independent of any channel."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.engine.render import Button

MAX_INBOUND_TEXT = 4096
# Control characters other than newline and tab (NUL breaks PostgreSQL text).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str, limit: int = MAX_INBOUND_TEXT) -> str:
    """Drop control characters and cap the length (a search first: most texts have none)."""
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub("", text)
    return text if len(text) <= limit else text[:limit]


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    address: str  # phone number in E.164, Telegram chat id, web chat session token
    provider_id: str  # unique per channel: Twilio MessageSid, Telegram update_id, ...
    text: str
    received_at: datetime.datetime
    locale_hint: str | None = None

    def cleaned(self) -> InboundMessage:
        text = clean_text(self.text)
        address, provider_id = clean_text(self.address, 128), clean_text(self.provider_id, 128)
        if text is self.text and address is self.address and provider_id is self.provider_id:
            return self  # nothing to clean: most messages
        return replace(self, text=text, address=address, provider_id=provider_id)


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    channel: str
    address: str
    body: str
    language: str
    buttons: tuple[Button, ...] = field(default=())
    multiple: bool = False
    session_id: int | None = None
    purpose: str | None = None  # "invitation", "reminder", "reopen"; None for a reply

    @classmethod
    def from_row(cls, row: Any) -> OutboundMessage:
        """The message an `outbound_messages` row holds."""
        return cls(
            id=row.id,
            channel=row.channel,
            address=row.address,
            body=row.body,
            language=row.language,
            buttons=tuple(Button.from_stored(item) for item in row.buttons or []),
            multiple=row.multiple,
            session_id=row.session_id,
            purpose=getattr(row, "purpose", None),
        )
