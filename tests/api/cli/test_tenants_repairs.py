"""`doorstep tenants import`, `repairs import`, `apikey` and `dnc` through the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.access.apikeys import verify_key
from bot.repairs.models import RepairJob
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.models import table, utcnow

runner = CliRunner()


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    database = Database(database_url)
    yield database
    database.dispose()
    get_settings.cache_clear()


def test_tenants_import_shows_a_summary_and_row_errors(
    cli_database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "tenants.csv"
    path.write_text("Tenant Ref,Mobile,Tenure\nT-1,07700900001,LCRA\nT-2,,castle\n")
    result = runner.invoke(app, ["tenants", "import", str(path)])
    assert result.exit_code == 1
    assert 'Row 3: Column "Tenure" has "castle": The tenure must be low-cost' in result.output
    assert "Read 2 row(s): 1 new tenant(s), 0 updated, 0 unchanged; 1 row(s) with errors" in (
        result.output
    )
    report = tmp_path / "problems.csv"
    again = runner.invoke(app, ["tenants", "import", str(path), "--report", str(report)])
    assert "0 new tenant(s), 0 updated, 1 unchanged" in again.output
    assert report.read_text().splitlines()[1].startswith('3,error,"Column ""Tenure"" has')
    missing = runner.invoke(app, ["tenants", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "There is no file at" in missing.output
    assert "Traceback" not in missing.output


def test_repairs_import_schedules_each_job_once(cli_database: Database, tmp_path: Path) -> None:
    path = tmp_path / "repairs.csv"
    path.write_text(
        "Job No,Tenant Reference,Date Completed,Trade,Contractor,Priority\n"
        f"J-1,T-1,{utcnow():%d/%m/%Y %H:%M},Plumbing,Acme,Routine\n"
        "J-2,T-2,01/01/2020 10:00,Electrical,Sparks,Urgent\n"
        "J-3,T-3,someday,,,\n"
    )
    checked = runner.invoke(app, ["repairs", "import", str(path), "--dry-run"])
    assert "Checked 3 repair(s): 1 survey(s) would be scheduled" in checked.output
    assert "(dry run: nothing was saved)" in checked.output
    with cli_database.engine.connect() as connection:
        assert connection.execute(select(table(RepairJob))).all() == []
    first = runner.invoke(app, ["repairs", "import", str(path)])
    assert first.exit_code == 1
    assert "Row 3: Not surveyed: Completed" in first.output
    assert (
        "Row 4: The completion time is not a date and time Doorstep can read: write it like "
        "2027-03-02 09:00"
    ) in " ".join(first.output.split())
    assert "1 survey(s) scheduled, 0 already known, 1 skipped" in first.output
    again = runner.invoke(app, ["repairs", "import", str(path)])
    assert "0 survey(s) scheduled, 2 already known, 0 skipped" in again.output
    with cli_database.engine.connect() as connection:
        rows = connection.execute(select(table(RepairJob))).all()
    assert sorted((row.job_id, row.state, row.trade) for row in rows) == [
        ("J-1", "scheduled", "Plumbing"),
        ("J-2", "skipped", "Electrical"),
    ]


def test_api_keys_are_shown_once_listed_without_secrets_and_revoked(
    cli_database: Database,
) -> None:
    created = runner.invoke(app, ["apikey", "create", "repairs-system"])
    assert created.exit_code == 0
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("dsk_")
    with cli_database.engine.begin() as connection:
        assert verify_key(connection, key, utcnow()) is not None
    listed = runner.invoke(app, ["apikey", "list"])
    assert "repairs-system" in listed.output and "active" in listed.output
    assert key.split(".", 1)[1] not in listed.output
    assert runner.invoke(app, ["apikey", "revoke", "repairs-system"]).exit_code == 0
    with cli_database.engine.begin() as connection:
        assert verify_key(connection, key, utcnow()) is None
    assert "revoked" in runner.invoke(app, ["apikey", "list"]).output
    assert runner.invoke(app, ["apikey", "revoke", "nobody"]).exit_code == 1


def test_the_do_not_contact_list_from_the_command_line(
    cli_database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "tenants.csv"
    path.write_text("Tenant Ref\nT-1\n")
    runner.invoke(app, ["tenants", "import", str(path)])
    added = runner.invoke(app, ["dnc", "add", "--tenant", "T-1", "--reason", "complaint"])
    assert added.exit_code == 0, added.output
    number = runner.invoke(app, ["dnc", "add", "--sms", "07700 900009", "--reason", "wrong"])
    assert number.exit_code == 0
    listed = runner.invoke(app, ["dnc", "list"])
    assert "tenant T-1" in listed.output and "sms +447700900009" in listed.output
    assert runner.invoke(app, ["dnc", "remove", "--sms", "+447700900009"]).exit_code == 0
    assert "+447700900009" not in runner.invoke(app, ["dnc", "list"]).output
    unknown = runner.invoke(app, ["dnc", "add", "--tenant", "T-9", "--reason", "x"])
    assert unknown.exit_code == 1 and "No tenant has the reference 'T-9'" in unknown.output
    both = runner.invoke(app, ["dnc", "add", "--tenant", "T-1", "--sms", "1", "--reason", "x"])
    assert both.exit_code == 2
