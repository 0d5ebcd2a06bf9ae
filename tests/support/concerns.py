"""Shared test support."""

from __future__ import annotations

from sqlalchemy import insert

from bot.service import Service
from bot.storage.tables import PROFILE
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


def comment_after_repair(service: Service, comment: str, **chat: str) -> str:
    """A good repair rating, then `comment` as the free-text answer; returns the reply to it."""
    talk = Chat(service.engine, **chat)  # type: ignore[arg-type]
    for reply in ("REPAIR", "yes", "1", "skip", "skip", "skip"):
        talk.send(reply)
    return talk.send(comment)


def set_profile(service: Service, respondent_id: int, **values: str) -> None:
    """Profile attributes as an import would record them (estate, area, postcode, nation)."""
    now = service.engine.clock()
    with service.database.engine.begin() as connection:
        for name, value in values.items():
            connection.execute(
                insert(PROFILE).values(
                    respondent_id=respondent_id, name=name, value=value, source="import",
                    recorded_at=now,
                )
            )  # fmt: skip
