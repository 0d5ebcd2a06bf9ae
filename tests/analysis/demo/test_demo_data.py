"""`doorstep demo-data`: planted tenants written through the engine's tables."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from analysis.demo.data import (
    QUESTIONNAIRES,
    DemoDataError,
    create_demo_data,
    first_round,
    surveys_not_sent,
)
from analysis.demo.population import PLANTED, planted_segments
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import (
    Answer,
    ChannelIdentity,
    Consent,
    InboundRecord,
    OutboundRecord,
    ProfileAttribute,
    QuestionnaireVersion,
    Respondent,
    Session,
)
from tests.support.demo import Demo

MODELS = (Respondent, ChannelIdentity, Session, Answer, Consent, InboundRecord,
          OutboundRecord, ProfileAttribute)  # fmt: skip


def counts(connection: Connection) -> dict[str, int]:
    return {
        model.__tablename__: connection.execute(
            select(func.count()).select_from(model)
        ).scalar_one()
        for model in MODELS
    }


def fingerprint(database: Database) -> list[Any]:
    """What the data says, independent of row ids: per tenant and round, what happened."""
    with database.engine.connect() as connection:
        sessions = connection.execute(
            select(Respondent.tenant_ref, Session.channel, Session.state, Session.created_at,
                   func.count(Answer.id))
            .join(Respondent, Respondent.id == Session.respondent_id)
            .outerjoin(Answer, Answer.session_id == Session.id)
            .group_by(Respondent.tenant_ref, Session.channel, Session.state, Session.created_at)
        ).all()  # fmt: skip
        profile = connection.execute(
            select(Respondent.tenant_ref, ProfileAttribute.name, ProfileAttribute.recorded_at,
                   ProfileAttribute.superseded_at)
            .join(Respondent, Respondent.id == ProfileAttribute.respondent_id)
        ).all()  # fmt: skip
        opted = connection.execute(
            select(Respondent.tenant_ref, ChannelIdentity.channel, ChannelIdentity.opted_out_at)
            .join(Respondent, Respondent.id == ChannelIdentity.respondent_id)
        ).all()  # fmt: skip
    return [sorted(map(tuple, rows), key=str) for rows in (sessions, profile, opted)]


def test_size_and_idempotence(database: Database, demo: Demo) -> None:
    first = demo(120, rounds=4)
    assert first.created_tenants == 120 and first.sessions > 120 and first.answers > 0
    with database.engine.connect() as connection:
        before = counts(connection)
    again = demo(120, rounds=4)
    assert again.created_tenants == 0 and again.sessions == 0 and again.answers == 0
    with database.engine.connect() as connection:
        assert counts(connection) == before
        assert before["respondents"] == 120
        refs = connection.execute(select(Respondent.tenant_ref)).scalars().all()
    assert sorted(refs, key=str)[:2] == ["DEMO-000001", "DEMO-000002"]


def test_adding_tenants_and_rounds_gives_the_same_data_as_asking_for_it_at_once(
    database: Database, demo: Demo, tmp_path: Any, settings: Settings
) -> None:
    demo(80, rounds=3)
    demo(110, rounds=5)  # 30 more tenants, 2 more rounds for the first 80
    at_once = Database(f"sqlite:///{tmp_path / 'at_once.db'}")
    at_once.create_schema()
    # A registry remembers version ids per database: a fresh one for the other database.
    fresh = QuestionnaireRegistry.from_directory(settings.questionnaires_dir, "Demo")
    create_demo_data(at_once, fresh, tenants=110, rounds=5, seed=7)
    assert fingerprint(database) == fingerprint(at_once)
    at_once.dispose()


def test_answers_only_after_a_granted_consent(database: Database, demo: Demo) -> None:
    demo(100, rounds=4)
    with database.engine.connect() as connection:
        first_answers = dict(
            connection.execute(
                select(Answer.session_id, func.min(Answer.answered_at)).group_by(Answer.session_id)
            ).all()
        )
        granted = dict(
            connection.execute(
                select(Consent.session_id, func.min(Consent.recorded_at))
                .where(Consent.outcome == "granted", Consent.scope == "questionnaire")
                .group_by(Consent.session_id)
            ).all()
        )
        replies_without_reply = connection.execute(
            select(func.count()).where(InboundRecord.reply_id.is_(None))
        ).scalar_one()
    assert first_answers
    for session_id, answered_at in first_answers.items():
        assert session_id in granted and granted[session_id] <= answered_at
    assert replies_without_reply == 0  # every inbound message got one outbox reply


def test_messages_name_the_landlord_as_the_engine_does(
    database: Database, registry: QuestionnaireRegistry
) -> None:
    """Survey wording says `${landlord}`; what the tenant was sent names the landlord."""
    registry.landlord_name = "Glanyrafon Homes"
    create_demo_data(database, registry, tenants=40, rounds=6)  # every survey has gone out
    with database.engine.connect() as connection:
        bodies = connection.execute(select(OutboundRecord.body)).scalars().all()
        heard = connection.execute(select(InboundRecord.text)).scalars().all()
    assert bodies and heard
    assert [body for body in bodies if "${" in body] == []
    assert [text for text in heard if "${" in text] == []
    naming = [body for body in bodies if "Glanyrafon Homes" in body]
    # invitations to the profile survey, TSM questions, and opt-out confirmations at least
    assert any("would like to know more about you" in body for body in naming)
    assert any(body.startswith("You will not get any more messages") for body in naming)


def test_planted_segments_are_all_present(demo: Demo) -> None:
    demo(300, rounds=2)
    truth = planted_segments(7, 300)
    assert set(truth.values()) == {planted.key for planted in PLANTED}
    assert planted_segments(7, 300) == truth  # deterministic for a seed
    assert planted_segments(8, 300) != truth


def test_a_bad_request_is_a_sentence(database: Database, registry: QuestionnaireRegistry) -> None:
    with pytest.raises(DemoDataError, match="between 1 and"):
        create_demo_data(database, registry, tenants=0)
    with pytest.raises(DemoDataError, match="questionnaire 'communication_preferences'"):
        create_demo_data(database, QuestionnaireRegistry(), tenants=5)


def test_blocks_played_in_worker_processes_give_the_same_data(
    database: Database, registry: QuestionnaireRegistry, tmp_path: Any, settings: Settings
) -> None:
    """Two blocks played in a worker process (block-local ids, adopted in order) store what
    playing them here stores, and the ids run on from what is already there."""
    create_demo_data(database, registry, tenants=20, rounds=2, workers=0)
    create_demo_data(database, registry, tenants=600, rounds=3, workers=1)
    here = Database(f"sqlite:///{tmp_path / 'here.db'}")
    here.create_schema()
    fresh = QuestionnaireRegistry.from_directory(settings.questionnaires_dir, "Demo")
    create_demo_data(here, fresh, tenants=20, rounds=2, workers=0)
    create_demo_data(here, fresh, tenants=600, rounds=3, workers=0)
    assert fingerprint(database) == fingerprint(here)
    with database.engine.connect() as connection, here.engine.connect() as other:
        assert counts(connection) == counts(other)
        provider_ids = select(func.count(func.distinct(InboundRecord.provider_id)))
        assert (
            connection.execute(provider_ids).scalar_one() == counts(connection)["inbound_messages"]
        )
    here.dispose()


def test_a_commit_after_every_block_stores_the_same_data(
    database: Database,
    registry: QuestionnaireRegistry,
    tmp_path: Any,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Transactions ending between any two blocks (here after each one, with a worker and
    blocks played here meanwhile) store what one transaction for every block stores."""
    create_demo_data(database, registry, tenants=1100, rounds=2, workers=0)
    monkeypatch.setattr("analysis.demo.data.ROWS_PER_COMMIT", 1)
    each = Database(f"sqlite:///{tmp_path / 'each.db'}")
    each.create_schema()
    fresh = QuestionnaireRegistry.from_directory(settings.questionnaires_dir, "Demo")
    create_demo_data(each, fresh, tenants=1100, rounds=2, workers=1)
    assert fingerprint(database) == fingerprint(each)
    with database.engine.connect() as connection, each.engine.connect() as other:
        assert counts(connection) == counts(other)
    each.dispose()


def surveys_sent(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(connection.scalars(
            select(QuestionnaireVersion.questionnaire_id)
            .join(Session, Session.questionnaire_version_id == QuestionnaireVersion.id)
        ))  # fmt: skip


def test_each_survey_first_goes_out_in_the_round_the_command_names(
    database: Database, demo: Demo
) -> None:
    """`first_round` is what `doorstep demo-data` tells an officer; the tenants played agree."""
    rounds = [first_round(name) for name in QUESTIONNAIRES]
    assert sorted(set(rounds)) == rounds and rounds[0] == 1  # one new survey each time
    for name, first in zip(QUESTIONNAIRES, rounds, strict=True):
        if first > 1:
            demo(120, rounds=first - 1)
            assert name not in surveys_sent(database)
            assert surveys_not_sent(first - 1)[0] == name
        demo(120, rounds=first)  # the same tenants, one round more
        assert name in surveys_sent(database)
        assert name not in surveys_not_sent(first)
