"""The post-repair survey end to end in each of the ten languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.service import Service
from bot.storage.models import Answer, Consent, Session, SessionState
from tests.support.chat import Chat


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_post_repair_in_every_language(service: Service, language: str) -> None:
    questionnaire = service.registry.latest("post_repair")
    assert language in questionnaire.languages
    tr = translator(language)
    yes_word = tr(texts.YES_WORDS).split(",")[0].strip()
    chat = Chat(service.engine, channel="telegram", address=f"chat-{language}")
    opening = chat.start("post_repair", language=language)
    assert questionnaire.title.get(language) in opening
    chat.send(yes_word)
    replies = {"repair_overall": "1", "operative_conduct": "1", "comment": "OK"}
    for question in questionnaire.questions:
        assert question.text.get(language).split("${")[0][:20] in chat.last[0].body
        chat.send(replies.get(question.name, yes_word))
    assert tr(texts.SAVED) in chat.last[0].body  # one thank-you: the questionnaire's own
    with service.database.sessions() as session:
        state = session.scalars(select(Session.state)).one()
        answers = {a.question: a.value for a in session.scalars(select(Answer))}
        consent = session.scalars(select(Consent)).one()
    assert state == SessionState.COMPLETED
    assert answers["repair_overall"] == 1 and answers["right_first_time"] is True
    assert consent.language == language
