"""`doorstep campaign ...` through the real command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.campaigns.progress import COUNTS
from bot.service import Service
from bot.storage.tables import AUDIT
from tests.support.campaigns import add_tenant, add_tenants, create, phone, targets, tick
from tests.support.services import Clock

runner = CliRunner()
ASKED_FOR_A_CALL = "The tenant asked to be contacted by phone, not by message: call them."
SPEC = """\
name: Spring TSM
questionnaire: tsm_perception
starts_at: "2026-11-30 09:00"
ends_at: "2026-12-20 18:00"
days: mon-fri
hours: "10:00-19:00"
audience:
  tenure: low_cost_rental
sample:
  margin: tsm
  response_rate: 0.5
send_rate_per_minute: {sms: 120}
reminders: 2
reminder_interval_hours: 72
"""


def test_create_from_a_file_schedule_and_watch(
    cli_database: str, tmp_path: Path, service: Service
) -> None:
    add_tenants(service, 30, attributes={"tenure": "low_cost_rental"})
    spec = tmp_path / "spring.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    created = runner.invoke(app, ["campaign", "create", str(spec), "--reminders", "1"])
    assert created.exit_code == 0, created.output
    assert "Campaign 1 'Spring TSM' created as a draft" in created.output
    scheduled = runner.invoke(app, ["campaign", "schedule", "Spring TSM"])
    assert scheduled.exit_code == 0, scheduled.output
    # 30 homes at ±5%: 28 responses; at a 50% response rate all 30 are invited.
    assert "30 tenant(s) match the audience today; 30 would be invited" in scheduled.output
    assert "28 responses needed for ±5%" in scheduled.output
    status = runner.invoke(app, ["campaign", "status", "Spring TSM", "--once"])
    assert status.exit_code == 0, status.output
    assert "Spring TSM — scheduled (tsm_perception)" in status.output
    listing = runner.invoke(app, ["campaign", "status"])
    assert "Spring TSM" in listing.output and "scheduled" in listing.output
    assert runner.invoke(app, ["campaign", "pause", "1"]).exit_code == 0
    again = runner.invoke(app, ["campaign", "pause", "1"])
    assert again.exit_code == 1
    assert "is paused, so it cannot be paused" in again.output
    assert "Traceback" not in again.output
    assert runner.invoke(app, ["campaign", "resume", "1"]).exit_code == 0
    assert runner.invoke(app, ["campaign", "cancel", "1"]).exit_code == 0
    assert targets(service, 1) == []


def test_create_with_options_only(cli_database: str) -> None:
    result = runner.invoke(
        app,
        [
            "campaign", "create", "--name", "Repairs check", "--questionnaire", "post_repair",
            "--start", "2026-12-01 09:00", "--area", "North", "--attribute", "estate=Riverside",
            "--sample-size", "100", "--stratify-by", "tenure", "--rate", "sms=60",
            "--channels", "sms,telegram", "--schedule",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "'Repairs check' scheduled" in result.output


def test_mistakes_are_sentences(cli_database: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["campaign", "create", str(broken)])
    assert result.exit_code == 1 and "is not valid .yaml at line" in result.output
    result = runner.invoke(
        app,
        ["campaign", "create", "--name", "X", "--questionnaire", "nothing", "--start", "tomorrow"],
    )
    assert result.exit_code == 1
    assert "The campaign was not created" in result.output
    assert "The start time is not a date and time Doorstep can read: write it like" in (
        " ".join(result.output.split())
    )
    result = runner.invoke(app, ["campaign", "status", "Missing", "--once"])
    assert result.exit_code == 1 and "No campaign is called 'Missing'" in result.output
    result = runner.invoke(app, ["campaign", "create", "--rate", "sms"])
    assert result.exit_code == 1 and "must look like name=value" in result.output
    for output in (result.output,):
        assert "Traceback" not in output


def test_status_shows_counts_per_channel(cli_database: str, service: Service, clock: Clock) -> None:
    add_tenants(service, 3)
    create(service, clock, reminders=0)
    tick(service, clock)
    result = runner.invoke(app, ["campaign", "status", "Autumn check-in", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["state"] == "running"
    assert counts["sms"]["targeted"] == 3 and counts["sms"]["waiting"] == 0
    assert set(counts["all"]) == set(COUNTS)
    table = runner.invoke(app, ["campaign", "status", "Autumn check-in", "--once"])
    assert "Autumn check-in — running (post_repair)" in table.output


def test_the_letter_list_is_written_with_reasons_and_audited(
    service: Service, clock: Clock, cli_database: str, tmp_path: Path
) -> None:
    add_tenant(service, "T1", sms=phone(1), attributes={"preferred_channel": "phone"})
    add_tenant(service, "T2", sms=phone(2))
    campaign = create(service, clock)
    tick(service, clock)
    target = tmp_path / "letters.csv"
    result = runner.invoke(app, ["campaign", "letters", str(campaign), "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[1][:4] == ["T1", "", "a phone call", ASKED_FOR_A_CALL] and len(rows) == 2
    with service.database.engine.connect() as connection:
        audited = connection.execute(select(AUDIT.c.action, AUDIT.c.row_count)).all()
    assert audited == [("campaign_letter_list", 1)]
    unknown = runner.invoke(app, ["campaign", "letters", "No such campaign"])
    assert unknown.exit_code == 1 and "No such campaign" in unknown.output
