"""Tests for the questionnaire expression language (bot/questionnaire/expressions.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import sys
from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.questionnaire.expressions import (
    EvaluationError,
    Expression,
    ExpressionError,
    TypeProblem,
    ValueKind,
    check_types,
    parse,
)
from bot.questionnaire.expressions.parser import FUNCTIONS, MAX_DEPTH, MAX_LENGTH

TODAY = dt.date(2024, 5, 15)  # a Wednesday
K = ValueKind


def value(source: str, answers: Mapping[str, object] | None = None, **options: object) -> object:
    return parse(source).evaluate(answers or {}, today=TODAY, **options)  # type: ignore[arg-type]


def holds(source: str, answers: Mapping[str, object] | None = None, **options: object) -> bool:
    return parse(source).evaluate_bool(answers or {}, today=TODAY, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("42", 42),
        ("3.5", Decimal("3.5")),
        ("'abc'", "abc"),
        ('"abc"', "abc"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'back\\\\slash'", "back\\slash"),
        ("'keep \\n as is'", "keep \\n as is"),
        ('"it\'s"', "it's"),
        ("''", ""),
        ("true", True),
        ("TRUE", True),
        ("False", False),
        ("null", None),
        ("NULL", None),
    ],
)
def test_literals(source: str, expected: object) -> None:
    result = value(source)
    assert result == expected
    assert type(result) is type(expected)


# ---------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2),
        ("2 * 3 mod 4", 2),
        ("7 / 2", Decimal("3.5")),
        ("0.1 + 0.2", Decimal("0.3")),
        ("-2 * 3", -6),
        ("- -2", 2),
        ("-(1 + 2)", -3),
        ("7 mod 3", 1),
        ("-7 mod 3", -1),
        ("7 mod -3", 1),
        ("7.5 mod 2", Decimal("1.5")),
        ("7 MOD 4", 3),
        ("2 + 3.5", Decimal("5.5")),
        ("1 / 0", None),
        ("1 mod 0", None),
        ("1.5 / 0.0", None),
        ("null + 1", None),
        ("1 - null", None),
        ("null * null", None),
        ("-null", None),
        ("${x} * 2", None),
    ],
)
def test_arithmetic(source: str, expected: object) -> None:
    assert value(source) == expected


def test_integers_stay_integers_and_decimals_are_exact() -> None:
    assert type(value("2 * 3")) is int
    assert value("${x} + 1", {"x": Decimal("2.5")}) == Decimal("3.5")
    assert holds("0.1 + 0.2 = 0.3")
    assert holds("1 / 3 * 3 > 0.99")


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6), st.integers(-(10**6), 10**6))
def test_integer_arithmetic_matches_python(a: int, b: int, c: int) -> None:
    assert value(f"{a} + {b} * {c}") == a + b * c
    assert holds(f"{a} < {b}") is (a < b)
    assert holds(f"{a} = {b}") is (a == b)


# ---------------------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 = 1", True),
        ("1 == 1", True),
        ("1 != 1", False),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("2 >= 3", False),
        ("3 = 3.0", True),
        ("2 < 2.5", True),
        ("'abc' = 'ABC'", True),
        ("'abc' != 'abd'", True),
        ("'apple' < 'Banana'", True),
        ("date('2024-01-01') < date('2024-01-02')", True),
        ("date('2024-01-01') = date('2024-01-01')", True),
        ("true = true", True),
        ("true != false", True),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    assert holds(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true or false and false", True),  # and binds tighter than or
        ("(true or false) and false", False),
        ("not true or true", True),  # not binds tighter than or
        ("not false and false", False),  # ... and than and
        ("not 1 = 2", True),  # comparisons bind tighter than not
        ("1 + 1 = 2 and 2 * 2 = 4", True),
        ("1 + 2 * 3 = 7", True),
        ("2 * 3 + 1 = 7", True),
        ("-2 * -3 = 6", True),
        ("10 - 2 * 3 = 4", True),
        ("TRUE AND NOT False Or null", True),
        ("false OR false or FALSE or true", True),
        ("true and true and true and false", False),
    ],
)
def test_precedence_and_keywords(source: str, expected: bool) -> None:
    assert holds(source) is expected


# ---------------------------------------------------------------------------- null semantics


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${a} = 1", False),
        ("${a} != 1", False),
        ("${a} < 1", False),
        ("${a} >= 1", False),
        ("1 > ${a}", False),
        ("${a} = null", True),
        ("${a} == null", True),
        ("null = ${a}", True),
        ("${a} != null", False),
        ("null != ${a}", False),
        ("null = null", True),
        ("${a} = ${b}", False),
        ("not ${a}", True),
        ("${a} or true", True),
        ("${a} and true", False),
        ("${a}", False),
        ("${a} + 1 > 0", False),
        ("${a} + 1 = null", True),
        ("coalesce(${a}, 3) = 3", True),
    ],
)
def test_null_semantics(source: str, expected: bool) -> None:
    assert holds(source, {"b": None}) is expected


def test_null_tests_on_answered_values() -> None:
    assert holds("${a} != null", {"a": 1})
    assert not holds("${a} = null", {"a": 1})
    assert holds("${a} != null", {"a": ""})
    assert holds("${a} != null", {"a": []})


# ---------------------------------------------------------------------------- type mismatches


@pytest.mark.parametrize(
    ("source", "answers"),
    [
        ("'abc' + 1 > 0", {}),
        ("date('2024-01-01') < 3", {}),
        ("${t} > 3", {"t": "text"}),
        ("not 5", {}),
        ("5 and true", {}),
        ("if(3, true, true)", {}),
        ("not ('abc' + 1 > 3)", {}),  # the whole expression is false, not just a part
        ("-'abc' = 1", {}),
        ("${flag} > 0", {"flag": True}),
        ("${flag} = 1", {"flag": True}),
        ("${m} = 1", {"m": [1]}),
        ("length(3) = 1", {}),
        ("year('2024') = 2024", {}),
        ("date('2024-02-30') < today()", {}),
        ("date('31/03/2024') < today()", {}),
        ("contains(3, 'a')", {}),
        ("selected(${t}, 1)", {"t": "text"}),
        ("selected(${m}, true)", {"m": [1]}),
        ("selected(${m}, 'x')", {"m": [1]}),
        ("count_selected(${t}) = 1", {"t": "text"}),
        ("${d} * 2 > 1", {"d": dt.date(2024, 1, 1)}),
        ("${d} + 0.5 > today()", {"d": dt.date(2024, 1, 1)}),
        ("${d} + 99999999 > today()", {"d": dt.date(2024, 1, 1)}),
        ("${x} > 1", {"x": object()}),
        ("${x} > 1", {"x": Decimal("NaN")}),
        ("${x} = 1", {"x": Decimal("sNaN")}),
        ("${x} < 1", {"x": float("nan")}),
    ],
)
def test_type_mismatch_is_false_and_never_raises(source: str, answers: dict[str, object]) -> None:
    assert holds(source, answers) is False
    with pytest.raises(EvaluationError):
        value(source, answers)


def test_mismatch_in_a_branch_not_taken_is_harmless() -> None:
    assert holds("true or 'abc' + 1 > 0")
    assert not holds("false and 'abc' + 1 > 0")
    assert value("if(true, 1, 'a' + 1)") == 1
    assert value("coalesce(1, 'a' + 1)") == 1


def test_evaluate_bool_is_false_for_non_boolean_results() -> None:
    assert holds("1 + 1") is False
    assert holds("'yes'") is False
    assert holds("${flag}", {"flag": True}) is True


# ---------------------------------------------------------------------------- choices

NAMES = {"q": {"very_satisfied": 1, "satisfied": 2, "none": 9}, "multi": {"a": 1, "b": 2}}


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("selected(${multi}, 1)", {"multi": [1, 2]}, True),
        ("selected(${multi}, 3)", {"multi": [1, 2]}, False),
        ("selected(${multi}, 'b')", {"multi": [1, 2]}, True),
        ("selected(${multi}, 'a')", {"multi": [2]}, False),
        ("selected(${multi}, '2')", {"multi": [2]}, True),  # XLSForm style code in quotes
        ("selected(${multi}, 2.0)", {"multi": [2]}, True),
        ("selected(${multi}, 1)", {"multi": []}, False),
        ("selected(${multi}, 1)", {}, False),
        ("selected(${multi}, 'nonexistent')", {"multi": [1]}, False),
        ("selected(${q}, 'satisfied')", {"q": 2}, True),  # select_one
        ("selected(${q}, 1)", {"q": 2}, False),
        ("selected(${q}, 2)", {"q": 2}, True),
        ("count_selected(${multi}) = 2", {"multi": [1, 2]}, True),
        ("count_selected(${multi}) = 0", {}, True),
        ("count_selected(${q}) = 1", {"q": 2}, True),
        ("${q} = 'satisfied'", {"q": 2}, True),
        ("'satisfied' = ${q}", {"q": 2}, True),
        ("${q} != 'satisfied'", {"q": 1}, True),
        ("${q} = 'SATISFIED'", {"q": 2}, True),
        ("${q} = 2", {"q": 2}, True),
        ("${q} <= 2", {"q": 1}, True),
        ("${q} = '2'", {"q": 2}, True),
        ("${q} = 'missing_name'", {"q": 2}, False),
        ("${q} != 'missing_name'", {"q": 2}, False),
        ("${multi} = ${other}", {"multi": [1, 2], "other": [2, 1]}, True),
    ],
)
def test_choices(source: str, answers: dict[str, object], expected: bool) -> None:
    assert holds(source, answers, choice_names=NAMES) is expected


def test_choice_names_need_the_mapping() -> None:
    assert not holds("selected(${multi}, 'b')", {"multi": [2]})
    assert not holds("${q} = 'satisfied'", {"q": 2})
    assert holds("selected(${multi}, 2)", {"multi": [2]})


def test_choice_names_for_the_current_answer() -> None:
    rule = parse("not(selected(., 'none') and count_selected(.) > 1)")
    assert rule.evaluate_bool({}, current=[1, 2], choice_names=NAMES, current_name="q")
    assert rule.evaluate_bool({}, current=[9], choice_names=NAMES, current_name="q")
    assert not rule.evaluate_bool({}, current=[1, 9], choice_names=NAMES, current_name="q")


@pytest.mark.parametrize(
    ("source", "answer", "expected"),
    [
        ("${f} = 'no'", False, True),
        ("${f} = 'No'", True, False),
        ("${f} = 'YES'", True, True),
        ("'yes' = ${f}", True, True),
        ("${f} != 'yes'", False, True),
        ("${f} = true", True, True),
        ("${f} = false", False, True),
        ("${f}", True, True),
        ("not ${f}", False, True),
        ("${f} = 'perhaps'", True, False),
    ],
)
def test_yes_no(source: str, answer: bool, expected: bool) -> None:
    assert holds(source, {"f": answer}) is expected


# ---------------------------------------------------------------------------- dates


def test_today() -> None:
    assert value("today()") == TODAY
    assert parse("today()").evaluate({}) == dt.date.today()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("date('2024-03-31')", dt.date(2024, 3, 31)),
        ("date(${d})", dt.date(2000, 2, 29)),
        ("date(${missing})", None),
        ("days_between(date('2024-01-01'), date('2024-02-01'))", 31),
        ("days_between(date('2024-02-01'), date('2024-01-01'))", -31),
        ("days_between(${d}, ${missing})", None),
        ("age(${d})", 24),
        ("age(date('2000-05-15'))", 24),  # birthday today
        ("age(date('2000-05-16'))", 23),  # birthday tomorrow
        ("age(${missing})", None),
        ("year(${d})", 2000),
        ("month(${d})", 2),
        ("weekday(date('2024-04-01'))", 1),  # Monday
        ("weekday(date('2024-03-31'))", 7),  # Sunday
        ("weekday(today())", 3),
        ("${d} + 1", dt.date(2000, 3, 1)),
        ("1 + ${d}", dt.date(2000, 3, 1)),
        ("${d} - 1", dt.date(2000, 2, 28)),
        ("${d} + 2.0", dt.date(2000, 3, 2)),
        ("today() - ${d}", (TODAY - dt.date(2000, 2, 29)).days),
        ("${stamp} = date('2024-05-01')", True),  # a datetime answer counts as its date
    ],
)
def test_dates(source: str, expected: object) -> None:
    answers = {"d": dt.date(2000, 2, 29), "stamp": dt.datetime(2024, 5, 1, 13, 30)}
    assert value(source, answers) == expected


def test_date_constraints() -> None:
    rule = parse(". <= today() and age(.) >= 16")
    assert rule.evaluate_bool({}, current=dt.date(2000, 1, 1), today=TODAY)
    assert not rule.evaluate_bool({}, current=dt.date(2010, 1, 1), today=TODAY)
    assert not rule.evaluate_bool({}, current=dt.date(2030, 1, 1), today=TODAY)
    assert not rule.evaluate_bool({}, current=None, today=TODAY)


# ---------------------------------------------------------------------------- text and others


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("length('hello')", 5),
        ("length('')", 0),
        ("length(${missing})", 0),
        ("contains('Hello World', 'WORLD')", True),
        ("contains('Hello', 'xyz')", False),
        ("contains(${missing}, 'x')", False),
        ("contains('x', ${missing})", False),
        ("coalesce(${missing}, 5)", 5),
        ("coalesce(4, 5)", 4),
        ("coalesce(${missing}, ${missing})", None),
        ("if(1 < 2, 'small', 'big')", "small"),
        ("if(1 > 2, 'small', 'big')", "big"),
        ("if(${missing}, 'yes', 'no')", "no"),
        ("IF(true, 1, 2)", 1),
        ("Length('ab')", 2),
    ],
)
def test_text_and_helper_functions(source: str, expected: object) -> None:
    assert value(source) == expected


def test_constraint_on_current_answer() -> None:
    rule = parse(". >= 16 and . <= 120")
    assert rule.uses_current
    assert rule.references == frozenset()
    assert rule.evaluate_bool({}, current=16)
    assert rule.evaluate_bool({}, current=Decimal("16.5"))
    assert not rule.evaluate_bool({}, current=121)
    assert not rule.evaluate_bool({}, current=None)
    assert not rule.evaluate_bool({}, current="sixteen")
    assert parse("length(.) <= 160").evaluate_bool({}, current="short")


def test_references_and_expression_object() -> None:
    expression = parse("${a} + ${b} > 3 or selected(${c}, 1) and ${a} = 1")
    assert expression.references == frozenset({"a", "b", "c"})
    assert not expression.uses_current
    assert expression.source == "${a} + ${b} > 3 or selected(${c}, 1) and ${a} = 1"
    assert parse("${a} = 1") == parse("${a} = 1")
    assert hash(parse("${a} = 1")) == hash(parse("${a} = 1"))
    with pytest.raises(AttributeError):
        expression.source = "x"  # type: ignore[misc]
    assert isinstance(expression, Expression)


def test_answers_are_only_read() -> None:
    answers: dict[str, object] = {"m": [1, 2], "d": dt.date(2024, 1, 1)}
    parse("selected(${m}, 1) and ${d} + 1 > ${d}").evaluate_bool(answers)
    assert answers == {"m": [1, 2], "d": dt.date(2024, 1, 1)}


# ---------------------------------------------------------------------------- parse errors


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("${age} >> 3", "unexpected '>' after '>'", 8),
        ("", "the expression is empty", 0),
        ("   ", "the expression is empty", 0),
        ("'abc", "the text starting with ' is not closed", 0),
        ('${a} = "abc', 'the text starting with " is not closed', 7),
        ("'it\\'", "the text starting with ' is not closed", 0),
        ("(1 + 2", "this '(' is never closed", 0),
        ("1 + (2", "this '(' is never closed", 4),
        ("((1)", "this '(' is never closed", 0),
        ("(", "this '(' is never closed", 0),
        ("1 + 2)", "there is a ')' without a matching '('", 5),
        (")", "there is a ')' without a matching '('", 0),
        ("(1 2)", "unexpected '2' after '1'", 3),
        ("${age", "'${' is not closed with '}'", 0),
        ("${a} = ${b", "'${' is not closed with '}'", 7),
        ("${a} = ${b + 1", "'${' is not closed with '}'", 7),
        ("${}", "'${}' has no question name in it", 0),
        ("${Age}", "question names are written in lower case", 2),
        ("${ age }", "spaces are not allowed inside ${...}", 2),
        ("${1abc}", "'1abc' is not a valid question name", 2),
        ("${first-name}", "'first-name' is not a valid question name", 2),
        ("$age", "'$' must be followed by {", 0),
        ("1 2", "unexpected '2' after '1'", 2),
        ("${a} = 1 ${b}", "unexpected '${b}' after '1'", 9),
        ("${a} = 1 not", "unexpected 'not' after '1'", 9),
        ("foo(1)", "there is no function called 'foo'", 0),
        ("1 + selectd(${a}, 1)", "there is no function called 'selectd'", 4),
        ("selected(${a})", "selected() takes 2 values but was given 1", 0),
        ("today(1)", "today() takes no values but was given 1", 0),
        ("age()", "age() takes 1 value but was given 0", 0),
        ("if(true, 1)", "if() takes 3 values but was given 2", 0),
        ("1 < 2 < 3", "two comparisons cannot be chained", 6),
        ("${a} = 1 = true", "two comparisons cannot be chained", 9),
        ("yes", "'yes' is not understood", 0),
        ("${a} = yes", "'yes' is not understood", 7),
        ("today", "the function today needs brackets", 0),
        ("3.", "'3.' has nothing after the decimal point", 0),
        ("1.2.3", "'1.2.3' is not a number", 0),
        ("3abc", "'3abc' is not a number", 0),
        ("${a} > .5", "a decimal number must start with a digit", 7),
        ("()", "the brackets '()' are empty", 0),
        ("contains(,'a')", "a value is missing before ','", 9),
        ("contains('a',)", "a value is missing before ')'", 13),
        ("contains('a' 'b')", "unexpected 'b' after 'a'", 13),
        ("selected(${a}, 1", "the bracket after selected is never closed", 8),
        ("${a} =", "the expression ends after '=' but a value is missing", 6),
        ("${a} and", "the expression ends after 'and' but a value is missing", 8),
        ("= 1", "the expression starts with '='", 0),
        ("and true", "the expression starts with 'and'", 0),
        ("${a} and or ${b}", "unexpected 'or' after 'and'", 9),
        ("1 + * 2", "unexpected '*' after '+'", 4),
        ("${a} => 1", "unexpected '>' after '='", 6),
        ("${a} =< 1", "unexpected '<' after '='", 6),
        ("${a} === 1", "unexpected '=' after '=='", 7),
        ("${a} <> 1", "'<>' is not understood here", 5),
        ("${a} && ${b}", "'&&' is not understood here", 5),
        ("${a} || ${b}", "'||' is not understood here", 5),
        ("!${a}", "'!' is not understood here", 0),
        ("${a} % 2 = 0", "'%' is not understood here", 5),
        ("${a} ≥ 3", "'≥' is not understood here", 5),
        ("${a} = ‘x’", "'‘' is not understood here", 7),
        ("${a} # 1", "the character '#' is not understood", 5),
        ("${a} = é", "the character 'é' is not understood", 7),
        (". .", "unexpected '.' after '.'", 2),
    ],
)
def test_parse_errors(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    error = caught.value
    assert error.message == message
    assert error.offset == offset
    assert error.fix
    assert error.fix[-1] != "."  # fixes read as one clause, like the validator's other fixes
    assert message in str(error)


@pytest.mark.parametrize(
    ("source", "fix"),
    [
        ("${age} >> 3", "use one comparison operator such as >, >= or ="),
        ("${a} => 1", "write >= instead of =>"),
        ("${a} =< 1", "write <= instead of =<"),
        ("${a} <> 1", "write != instead"),
        ("${a} && ${b}", "write and instead"),
        ("!${a}", "write not instead"),
        ("selectd(${a}, 1)", "did you mean selected()?"),
        ("${Age}", "write ${age}"),
        ("${ age }", "write ${age}"),
        ("'abc", "add a closing ' at the end of the text"),
        ("(1", "add a ')' to close it"),
        ("selected(${a})", "write it as selected(${question}, 'choice_name')"),
        ("yes", "write text as 'yes' in quotes, or refer to a question as ${yes}"),
        ("Yes", "write text as 'Yes' in quotes"),
        ("3.", "write 3.0 or 3"),
    ],
)
def test_parse_error_fixes(source: str, fix: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.fix == fix


def test_unknown_function_lists_the_functions_when_nothing_is_close() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("zzzzzz(1)")
    assert all(f"{name}()" in caught.value.fix for name in FUNCTIONS)


# ---------------------------------------------------------------------------- limits


def test_length_limit() -> None:
    parse("1" + " " * (MAX_LENGTH - 1))
    with pytest.raises(ExpressionError) as caught:
        parse("1" + " " * MAX_LENGTH)
    assert caught.value.offset == MAX_LENGTH
    assert "longer than" in caught.value.message


@pytest.mark.parametrize("opening", ["(", "-", "not ", "length(", "coalesce(1, "])
def test_nesting_limit(opening: str) -> None:
    closing = ")" * opening.count("(")

    def nested(depth: int) -> str:
        return opening * depth + "1" + closing * depth

    parse(nested(MAX_DEPTH))
    with pytest.raises(ExpressionError) as caught:
        parse(nested(MAX_DEPTH + 1))
    assert "nested too deeply" in caught.value.message
    assert caught.value.offset == len(opening) * MAX_DEPTH + max(opening.find("("), 0)


def test_worst_case_nesting_stays_far_from_the_recursion_limit() -> None:
    # every bracket level goes through all precedence levels: the most stack per level
    level, closing = "false or true and 1 = 1 + 2 * (", ")"
    source = level * MAX_DEPTH + "1" + closing * MAX_DEPTH
    assert len(source) <= MAX_LENGTH
    headroom = 520  # measured need is about 460 frames; Python allows 1000 by default
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + headroom)
    try:
        expression = parse(source)
        with pytest.raises(EvaluationError) as caught:  # true/false is used as a number
            expression.evaluate({})
        check_types(expression, {}, None)
        numbers = parse("1 + 2 * -(" * (MAX_DEPTH // 2) + "1" + ")" * (MAX_DEPTH // 2))
        assert isinstance(numbers.evaluate({}), int)
    finally:
        sys.setrecursionlimit(old_limit)
    assert not isinstance(caught.value.__cause__, RecursionError)


def test_long_flat_chains_do_not_recurse() -> None:
    additions = "+".join(["1"] * 900)
    assert value(additions) == 900
    alternatives = " or ".join(f"${{a}} = {n}" for n in range(100))
    assert holds(alternatives, {"a": 99})
    check_types(parse(alternatives), {"a": K.NUMBER})


# ---------------------------------------------------------------------------- check_types

KINDS = {
    "age": K.NUMBER,
    "name": K.TEXT,
    "dob": K.DATE,
    "ok": K.BOOLEAN,
    "q": K.CHOICES,
    "note": K.UNKNOWN,
}


@pytest.mark.parametrize(
    ("source", "current", "message"),
    [
        (". > 5", K.TEXT, "compares a text answer with a number"),
        ("5 < .", K.TEXT, "compares a number with a text answer"),
        (". > 5", None, "`.` only works in a constraint"),
        ("${dob} < 3", None, "compares a date answer with a number"),
        ("${age} = '18'", None, "compares a number answer with text"),
        ("${name} = 18", None, "compares a text answer with a number"),
        ("${dob} = '2024-01-01'", None, "compares a date answer with text"),
        ("${ok} = 'maybe'", None, "compares a yes/no answer with text"),
        ("${ok} = 1", None, "compares a yes/no answer with a number"),
        ("${ok} > true", None, "uses '>' on a yes/no answer"),
        ("${q} < 'x'", None, "compares a choice answer with text"),
        ("${q} = ${dob}", None, "compares a choice answer with a date answer"),
        ("selected(${age}, 1)", None, "selected() is used on ${age}, which is a number answer"),
        ("selected(1 + 1, 1)", None, "selected() needs a question reference as its first value"),
        ("selected(${q}, true)", None, "selected() needs a choice code or name"),
        ("count_selected(${name}) > 1", None, "count_selected() needs a choice answer"),
        ("count_selected(3) > 1", None, "count_selected() needs a question reference"),
        ("date('2024-02-30') < today()", None, "'2024-02-30' is not a real date"),
        ("date('31/03/2024') < today()", None, "'31/03/2024' is not a real date"),
        ("date(5) < today()", None, "date() needs text such as '2024-03-31'"),
        ("${name} + 1 > 3", None, "does arithmetic with a text answer"),
        ("${ok} * 2 > 3", None, "does arithmetic with a yes/no answer"),
        ("${q} + 1 > 3", None, "does arithmetic with a choice answer"),
        ("-${name} < 1", None, "does arithmetic with a text answer"),
        ("${dob} * 2 > 3", None, "uses '*' with a date"),
        ("${dob} + ${dob} > today()", None, "uses '+' with a date"),
        ("3 - ${dob} > today()", None, "uses '-' with a date"),
        ("not ${age}", None, "'not' needs a yes/no condition, but ${age} is a number answer"),
        ("${age} and true", None, "'and' needs a yes/no condition"),
        ("${name} or true", None, "'or' needs a yes/no condition"),
        ("if(${age}, 1, 2) = 1", None, "if() needs a yes/no condition"),
        ("${age}", None, "the rule gives a number answer, not yes or no"),
        ("${age} + 1", None, "the rule gives a number, not yes or no"),
        ("age(${name}) > 3", None, "age() needs a date, but ${name} is a text answer"),
        ("length(${age}) > 1", None, "length() needs text, but ${age} is a number answer"),
        ("contains(${name}, 3)", None, "contains() needs text, but 3 is a number"),
        ("coalesce(${age}, 'x') = 1", None, "coalesce() mixes a number and text"),
        ("if(true, ${dob}, 3) = 1", None, "if() mixes a date and a number"),
    ],
)
def test_check_types_problems(source: str, current: ValueKind | None, message: str) -> None:
    problems = check_types(parse(source), KINDS, current)
    assert problems, source
    assert any(problem.message.startswith(message) for problem in problems), problems
    for problem in problems:
        assert isinstance(problem, TypeProblem)
        assert 0 <= problem.offset <= len(source)
        assert problem.fix


def test_check_types_text_comparison_fix_and_offset() -> None:
    [problem] = check_types(parse(". > 5"), {}, K.TEXT)
    assert problem == TypeProblem(
        "compares a text answer with a number",
        2,
        "use length(.) > 5, or make the question an integer/decimal",
    )
    [problem] = check_types(parse(". > 5"), {}, None)
    assert problem.offset == 0
    [problem] = check_types(parse("date('2024-13-01') < today()"), {}, None)
    assert problem.offset == 5


@pytest.mark.parametrize(
    ("source", "current"),
    [
        (". >= 16 and . <= 120", K.NUMBER),
        ("length(.) <= 160", K.TEXT),
        (". <= today() and age(.) >= 16", K.DATE),
        ("not(selected(., 'none') and count_selected(.) > 1)", K.CHOICES),
        ("${ok} = 'yes'", None),
        ("${ok} = 'NO' or ${ok} = false or ${ok}", None),
        ("${q} = 'very_satisfied' or ${q} <= 2 or selected(${q}, 3)", None),
        ("${q} = ${age}", None),
        ("${dob} < today() and days_between(${dob}, today()) > 30", None),
        ("${dob} + 7 < today() and ${dob} - ${dob} > 3 and 7 + ${dob} > today()", None),
        ("year(${dob}) > 1900 and month(${dob}) = 2 and weekday(${dob}) < 6", None),
        ("${missing} > 3 and ${note} = 'x' and ${missing} + ${missing} > ${note}", None),
        ("contains(${name}, 'repair') and length(${name}) > 3", None),
        ("coalesce(${age}, 0) > 3 and if(${ok}, ${age}, 0) > 1", None),
        ("${age} = null or ${name} != null or ${dob} = null", None),
        ("date('2024-02-29') < today() and date(${dob}) < today()", None),
        ("${name} < 'm'", None),
        ("null", None),
    ],
)
def test_check_types_accepts(source: str, current: ValueKind | None) -> None:
    assert check_types(parse(source), KINDS, current) == []


def test_check_types_reports_each_problem() -> None:
    problems = check_types(parse(". > 5 and ${dob} < 3"), KINDS, None)
    assert [p.message for p in problems] == [
        "`.` only works in a constraint",
        "compares a date answer with a number",
    ]


# ---------------------------------------------------------------------------- properties

_NAMES = ["a", "b", "c"]
_ATOM_TEXTS = [
    "true",
    "false",
    "null",
    ".",
    "today()",
    "'x'",
    "'yes'",
    "'a'",
    "'2'",
    "''",
    "date('2024-02-29')",
    "date('2024-02-30')",
    "'2024-01-01'",
    "0",
    "0.0",
]
_ATOMS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(min_value=-1000, max_value=1000, places=3).map(str),
    st.sampled_from(_ATOM_TEXTS),
    st.sampled_from(_NAMES).map(lambda name: f"${{{name}}}"),
)
_BINARY = ["+", "-", "*", "/", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or"]


def _call(name: str, children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    arity = FUNCTIONS[name]
    return st.lists(children, min_size=arity, max_size=arity).map(
        lambda args: f"{name}({', '.join(args)})"
    )


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    calls = [_call(name, children) for name in FUNCTIONS]
    return st.one_of(
        st.tuples(children, st.sampled_from(_BINARY), children).map(
            lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
        ),
        st.tuples(st.sampled_from(["not ", "-", "NOT "]), children).map("".join),
        *calls,
    )


_EXPRESSIONS = st.recursive(_ATOMS, _grow, max_leaves=12)
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["yes", "no", "a", "2", "2024-01-01"]),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(-2, 12), max_size=4),
    st.tuples(st.integers(0, 3)),
    st.just(object()),
    st.just({"nested": 1}),
)
_CHOICE_NAMES = st.dictionaries(
    st.sampled_from(_NAMES), st.dictionaries(st.sampled_from(["a", "x", "yes"]), st.integers())
)
_KINDS = st.dictionaries(st.sampled_from([*_NAMES, "other"]), st.sampled_from(list(ValueKind)))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_parse_arbitrary_text_only_raises_expression_error(source: str) -> None:
    try:
        expression = parse(source)
    except ExpressionError as error:
        assert 0 <= error.offset <= len(source)
        assert error.message and error.fix
    else:
        assert expression.source == source


_TOKENS = st.sampled_from(
    [
        "${a}",
        "${",
        "}",
        "$",
        ".",
        "(",
        ")",
        ",",
        "'",
        '"',
        "\\",
        " ",
        "1",
        "2.5",
        "3.",
        "=",
        "==",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "mod",
        "and",
        "or",
        "not",
        "true",
        "null",
        "selected",
        "date",
        "if",
        "today",
        "x",
        "é",
        "&&",
        "%",
        "\n",
    ]
)


@settings(max_examples=400)
@given(st.lists(_TOKENS, max_size=30).map("".join))
def test_parse_token_soup_only_raises_expression_error(source: str) -> None:
    try:
        parse(source)
    except ExpressionError as error:
        assert 0 <= error.offset <= len(source)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    _EXPRESSIONS,
    st.dictionaries(st.sampled_from(_NAMES), _VALUES),
    _VALUES,
    st.one_of(st.none(), st.dates()),
    st.one_of(st.none(), _CHOICE_NAMES),
    _KINDS,
    st.one_of(st.none(), st.sampled_from(list(ValueKind))),
)
def test_evaluation_never_raises_unexpectedly(
    source: str,
    answers: dict[str, object],
    current: object,
    today: dt.date | None,
    choice_names: dict[str, dict[str, int]] | None,
    kinds: dict[str, ValueKind],
    current_kind: ValueKind | None,
) -> None:
    try:
        expression = parse(source)
    except ExpressionError:
        assume(False)
        return
    options = {"current": current, "today": today, "choice_names": choice_names}
    result = expression.evaluate_bool(answers, current_name="a", **options)  # type: ignore[arg-type]
    assert isinstance(result, bool)
    with contextlib.suppress(EvaluationError):
        expression.evaluate(answers, **options)  # type: ignore[arg-type]
    for problem in check_types(expression, kinds, current_kind):
        assert 0 <= problem.offset <= len(source)
