"""The one small class every channel adapter implements.

A channel knows its provider: how to send a message and get the provider's id back, how fast
it may send, and (where the provider allows) whether a message was already accepted. The
webhook side (verify, parse into `InboundMessage`, delivery-status updates) lives with each
channel's router under `api/`, which calls the parsing helpers in the channel's module.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from typing import ClassVar

from bot.dispatch.sending import (
    PermanentSendError,
    RateLimit,
    SendResult,
    TransientSendError,
)
from bot.engine.messages import OutboundMessage

__all__ = [
    "Channel",
    "PermanentSendError",
    "RateLimit",
    "SendResult",
    "TransientSendError",
]


class Channel(ABC):
    name: ClassVar[str]
    rate_limit: RateLimit
    # Web chat shows outbox rows in the page itself: the dispatcher never sends them.
    shows_itself: ClassVar[bool] = False

    @abstractmethod
    async def send(self, message: OutboundMessage) -> SendResult:
        """Hand one message to the provider; raise Transient/PermanentSendError on failure."""

    @property
    def can_find_sent(self) -> bool:
        return False

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        """Whether the provider already accepted this message (used after a crash)."""
        return None

    async def start(self) -> None:  # noqa: B027 - optional hook, most channels need nothing
        """Open connections; called once before the first send."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""
