"""Shared test support."""

from __future__ import annotations

from bot.service import Service
from tests.support.chat import Chat


def answer_post_repair(service: Service, overall: str, comment: str, **chat: str) -> None:
    talk = Chat(service.engine, **chat)  # type: ignore[arg-type]
    talk.send("REPAIR")
    for reply in (
        "yes" if "language" not in chat else "tak",
        overall,
        "skip",
        "skip",
        "skip",
        comment,
    ):
        talk.send(reply)
