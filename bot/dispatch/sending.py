"""What the outbox needs from a channel to send, without knowing any provider.

`channels.base.Channel` implements this protocol; the dispatcher (`bot.dispatch.dispatcher`)
only sees the protocol, so `bot` never imports a provider library.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.engine.messages import OutboundMessage


@dataclass(frozen=True)
class RateLimit:
    """How fast a channel may send: overall, and to any one address."""

    per_second: float  # messages per second for the whole channel; 0 means no limit
    per_address_interval: float = 0.0  # seconds between two messages to the same address


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    segments: int | None = None


class SendError(Exception):
    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientSendError(SendError):
    """Try again later: rate limited, provider down, network hiccup."""

    def __init__(
        self, reason: str, *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Never retry. `opted_out` when the provider says the person refuses messages;
    `address_failed` when it says the address cannot be delivered to (an email 5xx)."""

    def __init__(
        self,
        reason: str,
        *,
        code: str | None = None,
        opted_out: bool = False,
        address_failed: bool = False,
    ) -> None:
        super().__init__(reason, code=code)
        self.opted_out = opted_out
        self.address_failed = address_failed


@runtime_checkable
class Sender(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def rate_limit(self) -> RateLimit: ...

    async def send(self, message: OutboundMessage) -> SendResult: ...

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        """After a crash: did the provider already accept this message? None if unknown."""
        ...

    @property
    def can_find_sent(self) -> bool: ...
