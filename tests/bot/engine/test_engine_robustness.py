"""Random replies, concurrent duplicates and the schema: the engine must not break."""

from __future__ import annotations

import itertools
import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.engine.answers import decode
from bot.service import Service
from bot.storage.db import Database
from bot.storage.models import Answer, AnswerStatus, InboundRecord, Session, SessionState
from bot.storage.schema import metadata
from tests.support.chat import Chat

ADDRESSES = itertools.count()
REPLY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "back",
            "BACK",
            "skip",
            "help",
            "language",
            "1",
            "2",
            "5",
            "yes",
            "no",
            "ie",
            "⭐⭐⭐",
            "1,3",
            "1 and 3",
            "31/03/2020",
            "12.5",
            "cymraeg",
            "0",
        ]
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(replies=st.lists(REPLY, min_size=1, max_size=25))
def test_random_replies_never_crash_nor_corrupt_a_session(
    service: Service, replies: list[str]
) -> None:
    chat = Chat(service.engine, address=f"hyp-{next(ADDRESSES)}", channel="telegram")
    chat.start("all_types")
    for reply in replies:
        chat.send(reply)  # must not raise
    registry = service.registry.latest("all_types")
    with service.database.sessions() as db:
        session = db.scalars(select(Session).order_by(Session.id.desc())).first()
        assert session is not None
        state = SessionState(session.state)
        if state is SessionState.IN_PROGRESS:
            assert session.current_question in registry.index
        stored = db.scalars(
            select(Answer).where(
                Answer.session_id == session.id, Answer.status == AnswerStatus.CURRENT.value
            )
        ).all()
        # While open, the working state agrees with the answer record; once closed it is
        # dropped. No question is ever answered twice.
        if state.is_open:
            assert {a.question for a in stored} == set(session.values)
            assert set(session.asked) <= set(session.values)
        else:
            assert session.values == {} and session.asked == []
        assert len({a.question for a in stored}) == len(stored)
        values = {a.question: decode(registry.question(a.question), a.value) for a in stored}
        for answer in stored:
            relevant = registry.question(answer.question).relevant
            if relevant is not None:  # every kept answer still applies
                assert relevant.evaluate_bool(values, choice_names=registry.choice_names)


def test_the_same_message_sid_concurrently_is_recorded_once(service: Service) -> None:
    chat = Chat(service.engine)
    chat.send("REPAIR")
    chat.send("yes")
    results: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            results.append(Chat(service.engine).send("2", provider_id="SMconcurrent"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and "right first time" in results[0]
    with service.database.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Answer)) == 1
        assert (
            db.scalar(select(func.count()).where(InboundRecord.provider_id == "SMconcurrent")) == 1
        )


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, metadata) == []
