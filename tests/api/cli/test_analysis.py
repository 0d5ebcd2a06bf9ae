"""`doorstep demo-data` and `doorstep segment` through the real command line."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli.main import app
from bot.storage.db import Database
from bot.storage.tables import PROFILE

runner = CliRunner()


def test_demo_data_then_segment(cli_database: str) -> None:
    made = runner.invoke(app, ["demo-data", "--tenants", "200", "--rounds", "6"])
    assert made.exit_code == 0, made.output
    assert "200 tenants (200 new, 0 already there)" in made.output
    again = runner.invoke(app, ["demo-data", "--tenants", "200", "--rounds", "6"])
    assert "(0 new, 200 already there)" in again.output
    result = runner.invoke(app, ["segment", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "Segmentation run 1: 200 tenants" in result.output
    assert "with not enough data yet" in result.output
    assert "Best reached by" in result.output
    assert "recommended_channel" in result.output


def test_segment_with_no_data_says_so(cli_database: str) -> None:
    result = runner.invoke(app, ["segment"])
    assert result.exit_code == 1
    assert "enough data to segment" in result.output
    assert "Traceback" not in result.output


def test_landlord_records_are_offered_then_added_once(cli_database: str) -> None:
    """Without the option the officer is told what the demo lacks and how to add it; run
    again with it, the same tenants get tenure, area and repair jobs, and only once."""
    made = runner.invoke(app, ["demo-data", "--tenants", "40", "--rounds", "2"])
    assert made.exit_code == 0, made.output
    assert "run again with --landlord-records" in made.output
    assert _tenures(cli_database) == 0
    added = runner.invoke(
        app, ["demo-data", "--tenants", "40", "--rounds", "2", "--landlord-records"]
    )
    assert added.exit_code == 0, added.output
    assert "(0 new, 40 already there)" in added.output and "Landlord records:" in added.output
    assert "run again with --landlord-records" not in added.output
    assert _tenures(cli_database) == 40
    again = runner.invoke(
        app, ["demo-data", "--tenants", "40", "--rounds", "2", "--landlord-records"]
    )
    assert "Landlord records: 0 added" in again.output
    assert _tenures(cli_database) == 40


def _tenures(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            found = connection.execute(
                select(func.count()).select_from(PROFILE).where(PROFILE.c.name == "tenure")
            )
            return int(found.scalar_one())
    finally:
        database.dispose()


def test_too_few_rounds_for_a_survey_are_named_with_how_to_add_it(cli_database: str) -> None:
    short = runner.invoke(app, ["demo-data", "--tenants", "30", "--rounds", "3"])
    assert short.exit_code == 0, short.output
    said = " ".join(short.output.split())
    assert (
        'With 3 rounds of contact no tenant has been sent "Tenant satisfaction survey" (from '
        'round 4) or "About you and your household" (from round 6) yet, so the report has no '
        "figures from them: run again with --rounds 6 to add them."
    ) in said
    longer = runner.invoke(app, ["demo-data", "--tenants", "30", "--rounds", "6"])
    assert longer.exit_code == 0, longer.output
    assert "(0 new, 30 already there)" in longer.output
    assert "has been sent" not in longer.output
