"""Helpers for the web chat tests: the app, a respondent with an invite, form tokens."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, insert, select

from api.app import create_app
from bot.outreach.invites import create_invite
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import Answer, InboundRecord, Respondent, Session, table
from channels.registry import build_channels
from tests.support.live import live_server

# A questionnaire anyone may answer without identifying (`/chat` offers it outside demos).
ANONYMOUS_YAML = """
id: street_feedback
version: "1"
title: {en: Your street, ar: شارعك}
default_language: en
languages: {en: reviewed, ar: draft}
purpose:
  code: estate_feedback
  text: {en: "To learn what you think of your street.", ar: "لمعرفة رأيك في شارعك."}
consent:
  version: "s1"
  text: {en: "Answers are anonymous.", ar: "الإجابات مجهولة الهوية."}
estimated_minutes: 1
expiry_days: 7
anonymous: true
channels: [webchat]
choice_lists:
  clean:
    - {code: 1, name: clean, label: {en: Clean, ar: نظيف}}
    - {code: 2, name: dirty, label: {en: Dirty, ar: متسخ}}
questions:
  - name: street_clean
    type: select_one
    choices: clean
    required: true
    text: {en: "Is your street clean?", ar: "هل شارعك نظيف؟"}
  - name: street_comment
    type: text
    text: {en: "Anything else?", ar: "هل من شيء آخر؟"}
"""

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
_AFTER = re.compile(r'name="after" value="(\d+)"')


def make_app(service: Service) -> FastAPI:
    return create_app(service.settings, service, build_channels(service.settings), background=False)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found[1]


def after_of(html: str) -> str:
    found = _AFTER.search(html)
    assert found, "the page has no reply form"
    return found[1]


def new_tenant(service: Service, language: str | None = None) -> int:
    with service.database.engine.begin() as connection:
        return int(
            connection.execute(
                insert(table(Respondent))
                .values(tenant_ref=None, language=language, timezone="Europe/London")
                .returning(table(Respondent).c.id)
            ).scalar_one()
        )


def invite_for(
    service: Service, respondent_id: int, questionnaire_id: str = "post_repair", days: int = 14
) -> str:
    now = service.engine.clock()
    with service.database.engine.begin() as connection:
        return create_invite(
            connection,
            respondent_id,
            questionnaire_id,
            now + datetime.timedelta(days=days),
            now=now,
        )


def count(service: Service, model: type[Answer] | type[InboundRecord] | type[Session]) -> int:
    with service.database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table(model))).scalar_one())


def current_answers(service: Service) -> dict[str, object]:
    answers = table(Answer)
    with service.database.engine.connect() as connection:
        rows = connection.execute(
            select(answers.c.question, answers.c.value).where(answers.c.status == "current")
        ).all()
    return {row.question: row.value for row in rows}


@contextmanager
def live_chat(service: Service, settings: Settings, **overrides: Any) -> Iterator[str]:
    """A real uvicorn serving the web chat; its public URL (and `overrides`) in the settings."""

    def build(url: str) -> object:
        service.settings = settings.model_copy(
            update={"public_base_url": url, "webchat_rate_per_minute": 500, **overrides}
        )
        return make_app(service)

    with live_server(build) as url:
        yield url
