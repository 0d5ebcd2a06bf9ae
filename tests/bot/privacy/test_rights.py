"""Subject access, erasure and retention, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from api.cli.main import app
from bot.privacy import rights as privacy
from bot.service import Service
from bot.settings import get_settings
from bot.storage.models import Answer, ChannelIdentity, Erasure, InboundRecord, Respondent
from tests.support.chat import Chat
from tests.support.database import every_value
from tests.support.services import Clock

PHONE = "+447700900321"
NAME = "Alice Example"
COMMENT = "The plumber Dave left muddy footprints at 12 Acacia Road"


def tenant_with_answers(service: Service) -> int:
    with service.database.transaction() as session:
        respondent_id = session.execute(
            insert(Respondent).values(tenant_ref="T-1001", name=NAME, timezone="Europe/London")
            .returning(Respondent.id)
        ).scalar_one()  # fmt: skip
    service.engine.start(channel="sms", address=PHONE, questionnaire_id="post_repair",
                         respondent_id=respondent_id)  # fmt: skip
    chat = Chat(service.engine, address=PHONE)
    for reply in ("yes", "4", "no", "yes", "2", COMMENT):
        chat.send(reply)
    return int(respondent_id)


def test_subject_access_holds_everything(service: Service) -> None:
    tenant_with_answers(service)
    with service.database.sessions() as session:
        report = privacy.subject_access(session.connection(), "T-1001")
    assert report["respondent"]["name"] == NAME
    assert [identity["address"] for identity in report["channel_identities"]] == [PHONE]
    assert len(report["answers"]) == 5
    assert any(answer["value"] == COMMENT for answer in report["answers"])
    assert {consent["outcome"] for consent in report["consents"]} == {"granted"}
    assert len(report["inbound_messages"]) == 6 and report["outbound_messages"]


def test_erasure_removes_personal_data_and_keeps_coded_answers(
    service: Service, clock: Clock
) -> None:
    respondent_id = tenant_with_answers(service)
    with service.database.transaction() as session:
        result = privacy.erase(session.connection(), service.registry, "T-1001", clock.now,
                               "test officer")  # fmt: skip
    cells = every_value(service)
    for secret in (PHONE, NAME, "T-1001", "Acacia", "muddy"):
        assert not any(secret in cell for cell in cells), secret
    with service.database.sessions() as session:
        answers = {a.question: a.value for a in session.scalars(select(Answer))}
        (erasure,) = session.scalars(select(Erasure)).all()
        assert session.scalars(select(ChannelIdentity)).all() == []
    assert answers["repair_overall"] == 4 and answers["right_first_time"] is False
    assert answers["comment"] is None
    assert (erasure.respondent_id, erasure.requested_by) == (respondent_id, "test officer")
    assert result.answers_kept == 4
    with pytest.raises(privacy.UnknownTenant), service.database.sessions() as session:
        privacy.subject_access(session.connection(), "T-1001")


def test_retention_purges_old_text_and_contacts(service: Service, clock: Clock) -> None:
    tenant_with_answers(service)
    clock.advance(days=800)
    with service.database.transaction() as session:
        result = privacy.apply_retention(session.connection(), service.registry, clock.now,
                                         message_days=365, contact_days=700)  # fmt: skip
    assert result.messages_cleared > 0 and result.answers_cleared > 0
    assert result.identities_removed == 1
    with service.database.sessions() as session:
        texts = session.scalars(select(InboundRecord.text)).all()
        comment = session.scalars(select(Answer.value).where(Answer.question == "comment")).one()
    assert set(texts) == {None} and comment is None


@pytest.fixture
def cli_env(service: Service, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", service.settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_export_and_erase(service: Service, cli_env: None, tmp_path: Any) -> None:
    tenant_with_answers(service)
    runner = CliRunner()
    target = tmp_path / "sar.json"
    exported = runner.invoke(app, ["respondent", "export", "T-1001", "-o", str(target)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(target.read_text())["respondent"]["name"] == NAME
    erased = runner.invoke(app, ["respondent", "erase", "T-1001", "--yes"])
    assert erased.exit_code == 0 and "Erased" in erased.output
    missing = runner.invoke(app, ["respondent", "export", "T-1001"])
    assert missing.exit_code == 1 and "No tenant" in missing.output
    assert "Traceback" not in missing.output


def test_retention_job_runs_from_the_cli(service: Service, cli_env: None) -> None:
    result = CliRunner().invoke(app, ["retention"])
    assert result.exit_code == 0 and "Retention applied" in result.output
