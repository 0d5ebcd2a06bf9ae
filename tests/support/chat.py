"""A tiny driver for engine conversations in tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.engine.engine import Engine
from bot.engine.messages import InboundMessage, OutboundMessage

_ids = itertools.count(1)


@dataclass
class Chat:
    engine: Engine
    address: str = "+447700900123"
    channel: str = "sms"
    locale_hint: str | None = None
    transcript: list[tuple[str, str]] = field(default_factory=list)

    def start(self, questionnaire_id: str, language: str | None = None) -> str:
        replies = self.engine.start(
            channel=self.channel,
            address=self.address,
            questionnaire_id=questionnaire_id,
            language=language,
        )
        return self._record("(start)", replies)

    def send(self, text: str, provider_id: str | None = None) -> str:
        inbound = InboundMessage(
            channel=self.channel,
            address=self.address,
            provider_id=provider_id or f"msg-{next(_ids)}",
            text=text,
            received_at=self.engine.clock(),
            locale_hint=self.locale_hint,
        )
        return self._record(text, self.engine.handle(inbound))

    def _record(self, said: str, replies: list[OutboundMessage]) -> str:
        body = "\n".join(reply.body for reply in replies)
        self.transcript.append((said, body))
        self.last = replies
        return body
