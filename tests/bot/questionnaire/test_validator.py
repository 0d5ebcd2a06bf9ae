"""The questionnaire validator and `doorstep validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.questionnaire.compiler import compile_file, compile_text
from bot.questionnaire.problems import QuestionnaireInvalid, Severity
from bot.questionnaire.registry import load_questionnaire
from bot.settings import DEFAULT_QUESTIONNAIRES
from tests.support.services import FIXTURES

runner = CliRunner()
BROKEN = FIXTURES / "broken.yaml"


def test_broken_questionnaire_reports_one_line_per_problem() -> None:
    result = runner.invoke(app, ["validate", str(BROKEN)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(BROKEN))]
    assert lines == [
        f"{BROKEN}:15:14: first: there is no choice list 'satisfaction_list' — add it under "
        "choice_lists, or fix the name",
        f"{BROKEN}:17:5: first: the name 'first' is already used by the question on line 13 — "
        "give every question its own name",
        f"{BROKEN}:23:15: comment: relevant '${{no_such_question}} = 1' refers to "
        "${no_such_question}, which is not a question — use the name of an earlier question",
        f"{BROKEN}:27:29: age: relevant '${{comment}} = = 'x'': unexpected '=' after '=' — use "
        "one comparison operator such as >, >= or =",
        f"{BROKEN}:32:15: nickname: rule '. > 5': compares a text answer with a number — use "
        "length(.) > 5, or make the question an integer/decimal",
    ]


def test_an_incomplete_top_level_still_gets_every_cross_question_check() -> None:
    every = FIXTURES / "every_problem.yaml"
    result = runner.invoke(app, ["validate", str(every)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(every))]
    assert lines == [
        f"{every}:2:1: questionnaire: 'purpose' is missing — add purpose: {{code: ..., text: ...}}",
        f"{every}:15:14: first: there is no choice list 'satisfaction_list' — add it under "
        "choice_lists, or fix the name",
        f"{every}:17:5: first: the name 'first' is already used by the question on line 13 — "
        "give every question its own name",
        f"{every}:23:15: comment: relevant '${{no_such_question}} = 1' refers to "
        "${no_such_question}, which is not a question — use the name of an earlier question",
        f"{every}:27:29: age: relevant '${{comment}} = = 'x'': unexpected '=' after '=' — use "
        "one comparison operator such as >, >= or =",
        f"{every}:32:15: nickname: rule '. > 5': compares a text answer with a number — use "
        "length(.) > 5, or make the question an integer/decimal",
    ]


def test_a_cycle_in_relevant_is_an_error_naming_its_questions() -> None:
    found = problems_for(
        "  - {name: first, type: text, relevant: \"${second} = 'x'\", text: {en: 'A?', cy: 'A?'}}\n"
        "  - {name: second, type: text, relevant: \"${first} = 'y'\", text: {en: 'B?', cy: 'B?'}}\n"
        "  - {name: third, type: text, relevant: \"${first} = 'z'\", text: {en: 'C?', cy: 'C?'}}\n"
    )
    assert found == [
        "warning: a tenant may consent and then be asked nothing: every question depends on "
        "a relevant condition or on consent to a sensitive question",
        "error: relevant conditions wait on each other in a circle, so none of these questions "
        "is ever asked: first → second → first",
    ]


def test_one_unconditional_question_means_something_is_always_asked() -> None:
    found = problems_for(
        "  - {name: a, type: note, text: {en: Hi, cy: Hi}}\n"
        "  - {name: b, type: text, text: {en: 'B?', cy: 'B?'}}\n"
        "  - {name: c, type: text, relevant: \"${b} = 'y'\", text: {en: 'C?', cy: 'C?'}}\n"
    )
    assert found == []
    only_a_note = problems_for(
        "  - {name: a, type: note, text: {en: Hi, cy: Hi}}\n"
        "  - {name: b, type: text, relevant: '1 = 2', text: {en: 'B?', cy: 'B?'}}\n"
    )
    assert any("asked nothing" in line for line in only_a_note)


def test_shipped_questionnaires_validate_without_warnings() -> None:
    result = runner.invoke(app, ["validate", str(DEFAULT_QUESTIONNAIRES)])
    assert result.exit_code == 0, result.stdout
    assert "0 error(s), 0 warning(s)" in result.stdout
    for path in DEFAULT_QUESTIONNAIRES.glob("*.yaml"):
        assert compile_file(path).problems == []


def test_only_a_valid_questionnaire_loads() -> None:
    with pytest.raises(QuestionnaireInvalid) as raised:
        load_questionnaire(BROKEN)
    assert len(raised.value.problems) == 5
    assert load_questionnaire(FIXTURES / "all_types.yaml").id == "all_types"


MINIMAL = """\
id: mini
version: "1"
title: {en: Mini, cy: Bach}
default_language: en
languages: {en: reviewed, cy: draft}
purpose: {code: testing, text: {en: Testing., cy: Profi.}}
consent: {version: "1", text: {en: Testing., cy: Profi.}}
estimated_minutes: 1
questions:
QUESTIONS
"""


def problems_for(questions: str) -> list[str]:
    result = compile_text(MINIMAL.replace("QUESTIONS", questions), "mini.yaml")
    return [f"{p.severity}: {p.message}" for p in result.problems]


def test_warns_about_missing_language_text() -> None:
    found = problems_for("  - {name: a, type: text, text: {en: 'Hello?'}}\n")
    assert found == ["warning: 'text' has no cy text; tenants reading cy will see en"]


def test_warns_about_relevant_on_a_later_question_and_unreachable() -> None:
    found = problems_for(
        "  - {name: a, type: text, relevant: '${b} = 1', text: {en: 'A?', cy: 'A?'}}\n"
        "  - {name: b, type: integer, text: {en: 'B?', cy: 'B?'}}\n"
        "  - {name: c, type: text, relevant: '1 = 2', text: {en: 'C?', cy: 'C?'}}\n"
    )
    assert any("asked later" in line and line.startswith("warning") for line in found)
    assert any("can never be asked" in line for line in found)


def test_warns_about_sms_prompts_over_two_segments() -> None:
    long_text = "Please tell us " + "a great deal about your home " * 12
    found = problems_for(f"  - {{name: a, type: text, text: {{en: '{long_text}', cy: 'Byr?'}}}}\n")
    assert found == ["warning: the en SMS prompt takes 3 segments"]


def test_unknown_keys_types_and_yaml_errors_are_explained() -> None:
    found = problems_for(
        "  - {name: a, type: txt, relevnat: '1 = 1', text: {en: 'A?', cy: 'A?'}}\n"
    )
    assert "error: unknown key 'relevnat' in a question" in found
    assert "error: unknown type 'txt'" in found
    broken = compile_text("id: [unclosed\n", "bad.yaml")
    (problem,) = broken.problems
    assert problem.line == 2 and "YAML syntax error" in problem.message


def test_sensitive_questions_need_prefer_not_to_say_and_cannot_be_required() -> None:
    text = MINIMAL.replace(
        "QUESTIONS",
        "  - {name: a, type: select_one, choices: c, required: true,"
        " text: {en: 'A?', cy: 'A?'}, sensitive: {category: religion,"
        " why: {en: Why., cy: Pam.}}}\n",
    ) + ("choice_lists:\n  c:\n    - {code: 1, name: x, label: {en: X, cy: X}}\n")
    messages = [
        p.message for p in compile_text(text, "s.yaml").problems if p.severity is Severity.ERROR
    ]
    assert any("cannot be required" in m for m in messages)
    assert any("prefer not to say" in m for m in messages)


def test_yes_and_no_stay_text_in_yaml() -> None:
    found = problems_for("  - {name: a, type: text, text: {en: Yes, cy: No}}\n")
    assert found == []


def test_validate_with_no_files_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "No questionnaire files" in result.output


def test_sms_cost_per_language_names_the_characters_forcing_ucs2() -> None:
    from bot.questionnaire.sms_cost import sms_costs

    questionnaire = load_questionnaire(DEFAULT_QUESTIONNAIRES / "post_repair.yaml")
    costs = {cost.language: cost for cost in sms_costs(questionnaire, "Riverside Homes")}
    assert set(costs) == set(questionnaire.languages)
    assert costs["en"].ucs2_prompts == 0 and costs["en"].forcing_characters == ""
    assert costs["pl"].ucs2_prompts > 0 and "ł" in costs["pl"].forcing_characters
    assert costs["ur"].most_segments >= costs["en"].most_segments
    result = runner.invoke(app, ["validate", str(DEFAULT_QUESTIONNAIRES), "--sms-cost"])
    assert result.exit_code == 0 and "SMS cost of post_repair" in result.output
