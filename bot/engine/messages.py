"""What goes into and comes out of the engine, independent of any channel."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from bot.engine.render import Button

MAX_INBOUND_TEXT = 4096
_CONTROL = {code: None for code in range(32) if chr(code) not in "\n\t"} | {127: None}


def clean_text(text: str) -> str:
    """Drop control characters (NUL breaks PostgreSQL text) and cap the length."""
    return text.translate(_CONTROL)[:MAX_INBOUND_TEXT]


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    address: str  # phone number in E.164, Telegram chat id, web chat session token
    provider_id: str  # unique per channel: Twilio MessageSid, Telegram update_id, ...
    text: str
    received_at: datetime.datetime
    locale_hint: str | None = None

    def cleaned(self) -> InboundMessage:
        return replace(
            self,
            text=clean_text(self.text),
            address=clean_text(self.address)[:128],
            provider_id=clean_text(self.provider_id)[:128],
        )


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
