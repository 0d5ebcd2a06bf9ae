"""`doorstep simulate` and `doorstep db upgrade` through the real command line."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.storage.db import Database
from bot.storage.models import Answer, Session, SessionState

runner = CliRunner()


def test_simulate_runs_a_conversation_and_resumes_it(cli_database: str) -> None:
    first = runner.invoke(app, ["simulate", "post_repair"], input="yes\n2\nno\n\n")
    assert first.exit_code == 0, first.output
    assert "How satisfied" in first.output and "appointment" in first.output
    again = runner.invoke(app, ["simulate", "post_repair"], input="yes\n1\nThanks\n")
    assert "carrying on where you left off" in again.output
    assert "Thank you, that is everything" in again.output
    database = Database(cli_database)
    with database.sessions() as session:
        (state,) = session.scalars(select(Session.state))
        answers = session.scalars(select(Answer.question).order_by(Answer.id)).all()
    database.dispose()
    assert state == SessionState.COMPLETED
    assert answers == [
        "repair_overall", "right_first_time", "appointment_kept", "operative_conduct",
        "comment",
    ]  # fmt: skip


def test_simulate_in_welsh(cli_database: str) -> None:
    result = runner.invoke(app, ["simulate", "post_repair", "--lang", "cy"], input="ie\n")
    assert "Atebwch" in result.output


def test_simulate_unknown_questionnaire_is_a_sentence(cli_database: str) -> None:
    result = runner.invoke(app, ["simulate", "nope"])
    assert result.exit_code == 1
    assert "no questionnaire 'nope'" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade(cli_database: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_simulate_resumes_an_english_conversation_in_welsh(cli_database: str) -> None:
    english = runner.invoke(app, ["simulate", "post_repair"], input="\n")
    assert english.exit_code == 0 and "Reply YES" in english.output
    welsh = runner.invoke(app, ["simulate", "post_repair", "--lang", "cy"], input="ie\n")
    assert welsh.exit_code == 0, welsh.output
    said = " ".join(welsh.output.split())  # the terminal wraps long lines
    assert "carrying on where you left off, now in Welsh." in said
    assert "Atebwch" in said  # the consent request again, in Welsh
    database = Database(cli_database)
    with database.sessions() as session:
        (row,) = session.execute(select(Session.state, Session.language)).all()
    database.dispose()
    assert (row.state, row.language) == (SessionState.IN_PROGRESS, "cy")  # "ie" accepted


def test_simulate_resume_in_a_language_the_questionnaire_lacks_says_so(
    cli_database: str,
) -> None:
    runner.invoke(app, ["simulate", "post_repair"], input="\n")
    result = runner.invoke(app, ["simulate", "post_repair", "--lang", "xx"], input="\n")
    assert result.exit_code == 0
    assert "in en: post_repair has no text in 'xx'." in " ".join(result.output.split())
