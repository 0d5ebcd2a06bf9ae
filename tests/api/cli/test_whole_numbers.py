"""A wrong number on the command line gets one sentence and exit 2 (api/cli/numbers.py).

The sentence names the option as people call it and shows a form that works, instead of
pydantic's "Input should be a valid integer" in typer's box. On SQLite and PostgreSQL: if a
value got through, the command would run against the test database, not the default one.
"""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli.main import app

runner = CliRunner()
INTERNALS = ("Traceback", "Input should", "Invalid value", "Usage:", "Error", "integer")


def _refused(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # the terminal wraps long lines
    for internal in INTERNALS:
        assert internal not in said, said
    return said


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["demo-data", "--tenants", "abc"],
         "The number of tenants must be a whole number, 1 or more: write it like --tenants 2000."),
        (["demo-data", "--tenants", "0"],
         "The number of tenants must be a whole number, 1 or more: write it like --tenants 2000."),
        (["demo-data", "--rounds", "0"],
         "The number of rounds of contact must be a whole number, 1 or more: "
         "write it like --rounds 10."),
        (["demo-data", "--rounds", "1.5"],
         "The number of rounds of contact must be a whole number, 1 or more: "
         "write it like --rounds 10."),
        (["demo-data", "--seed", "seven"],
         "The random seed must be a whole number: write it like --seed 7."),
        (["segment", "--k", "11"],
         "The number of segments must be a whole number from 2 to 10: write it like --k 4."),
        (["serve", "--port", "80000"],
         "The port must be a whole number from 1 to 65535: write it like --port 8000."),
        (["export", "--campaign", "spring", "-q", "post_repair", "-o", "out.csv"],
         "The campaign number must be a whole number: write it like --campaign 3."),
        (["campaign", "create", "--reminders", "two"],
         "The number of reminders must be a whole number: write it like --reminders 1."),
    ],
)  # fmt: skip
def test_a_wrong_whole_number_is_one_sentence_and_exit_2(
    cli_database: str, args: list[str], sentence: str
) -> None:
    assert _refused(args) == sentence


def test_a_right_whole_number_still_works(cli_database: str) -> None:
    made = runner.invoke(app, ["demo-data", "--tenants", " 20 ", "--rounds", "2", "--seed", "3"])
    assert made.exit_code == 0, made.output
    assert "20 tenants (20 new, 0 already there), 2 rounds of contact, seed 3" in made.output


def _whole_number_options(kind: type = int) -> list[list[str]]:
    """[command..., option] for every option of this type of every command, found by walking
    the app."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])
        for param in getattr(command, "params", []):
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor and descriptor.annotation in (kind, kind | None):
                found.append([*path, param.opts[0]])

    walk(typer.main.get_command(app), [])
    return found


def test_every_whole_number_option_answers_in_a_sentence(cli_database: str) -> None:
    options = _whole_number_options()
    assert ["demo-data", "--tenants"] in options and ["serve", "--port"] in options
    for *command, option in options:
        said = _refused([*command, option, "many"])
        assert said.startswith("The ") and f": write it like {option} " in said, said


def test_every_decimal_number_option_answers_in_a_sentence(cli_database: str) -> None:
    options = _whole_number_options(float)
    assert ["campaign", "create", "--response-rate"] in options
    assert ["campaign", "status", "--interval"] in options
    for *command, option in options:
        said = _refused([*command, option, "many"])
        assert said.startswith("The ") and f": write it like {option} " in said, said


@pytest.mark.parametrize("rate", ["lots", "1.5", "0", "-0.2", "nan", "150%"])
def test_a_response_rate_outside_0_to_1_is_refused_in_a_sentence(
    cli_database: str, rate: str
) -> None:
    said = _refused(["campaign", "create", "--margin", "tsm", "--response-rate", rate])
    assert said == (
        "The expected response rate must be a number above 0 and at most 1 (or a "
        "percentage): write it like --response-rate 0.3."
    )


def test_a_response_rate_is_read_as_a_share_or_a_percentage_and_needs_a_margin(
    cli_database: str,
) -> None:
    base = ["campaign", "create", "--name", "spring", "--questionnaire", "post_repair",
            "--start", "2027-03-02 09:00"]  # fmt: skip
    for rate in ("0.3", "30%"):
        estimate = runner.invoke(app, [*base, "--margin", "tsm", "--response-rate", rate,
                                       "--dry-run"])  # fmt: skip
        assert estimate.exit_code == 0, estimate.output
        assert "at an expected response rate of 30%" in " ".join(estimate.output.split())
    alone = runner.invoke(app, [*base, "--response-rate", "0.3"])
    assert alone.exit_code == 1
    assert "only sizes a sample, so give it with --margin" in " ".join(alone.output.split())
    listed = runner.invoke(app, ["campaign", "status", "--once"])
    assert "spring" not in listed.output  # nothing was created
