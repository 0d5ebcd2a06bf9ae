"""Static type checks of questionnaire expressions, for the questionnaire validator.

`check_types` finds what an author should fix before a questionnaire goes live: text compared
with numbers, arithmetic with dates, a rule that is not a yes/no condition, and the like.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.questionnaire.expressions.evaluate import ISO_DATE, YES_NO
from bot.questionnaire.expressions.parser import USAGE
from bot.questionnaire.expressions.tree import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Current,
    IsNull,
    Lit,
    Node,
    Ref,
    Unary,
)

if TYPE_CHECKING:
    from bot.questionnaire.expressions import Expression

__all__ = ["TypeProblem", "ValueKind", "check_types"]


class ValueKind(enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICES = "choices"  # a select_one (int code) or select_multiple (list of codes) answer
    UNKNOWN = "unknown"


_K = ValueKind
_DESC = {
    _K.TEXT: "text",
    _K.NUMBER: "a number",
    _K.DATE: "a date",
    _K.BOOLEAN: "true or false",
    _K.CHOICES: "a choice code",
    _K.UNKNOWN: "a value",
}
_DESC_ANSWER = {
    _K.TEXT: "a text answer",
    _K.NUMBER: "a number answer",
    _K.DATE: "a date answer",
    _K.BOOLEAN: "a yes/no answer",
    _K.CHOICES: "a choice answer",
    _K.UNKNOWN: "an answer",
}
_AS_CONDITION = {
    _K.TEXT: "{0} = 'yes' or length({0}) > 0",
    _K.NUMBER: "{0} > 0",
    _K.DATE: "{0} < today()",
    _K.CHOICES: "selected({0}, 'choice_name')",
    _K.BOOLEAN: "{0}",
    _K.UNKNOWN: "{0}",
}
_ARGUMENTS = {
    "days_between": (_K.DATE, _K.DATE),
    "age": (_K.DATE,),
    "year": (_K.DATE,),
    "month": (_K.DATE,),
    "weekday": (_K.DATE,),
    "length": (_K.TEXT,),
    "contains": (_K.TEXT, _K.TEXT),
    "count_selected": (_K.CHOICES,),
}
_RESULTS = {
    "selected": _K.BOOLEAN,
    "count_selected": _K.NUMBER,
    "today": _K.DATE,
    "date": _K.DATE,
    "days_between": _K.NUMBER,
    "age": _K.NUMBER,
    "year": _K.NUMBER,
    "month": _K.NUMBER,
    "weekday": _K.NUMBER,
    "length": _K.NUMBER,
    "contains": _K.BOOLEAN,
}
_DATE_ARITHMETIC = {
    ("+", _K.DATE, _K.NUMBER): _K.DATE,
    ("-", _K.DATE, _K.NUMBER): _K.DATE,
    ("+", _K.NUMBER, _K.DATE): _K.DATE,
    ("-", _K.DATE, _K.DATE): _K.NUMBER,
}
_DATE_FIX = (
    "compare with a date such as date('2024-03-31') or today(), or turn the date into a "
    "number with age(), year() or days_between()"
)
_BOOLEAN_FIX = "compare a yes/no answer with = true or = false"
_CHOICES_FIX = "use selected(${question}, 'choice_name'), or compare the choice code with ="


@dataclass(frozen=True)
class TypeProblem:
    message: str
    offset: int
    fix: str


def check_types(
    expr: Expression, kinds: Mapping[str, ValueKind], current: ValueKind | None = None
) -> list[TypeProblem]:
    """Problems a questionnaire author should fix: text compared with numbers and the like.

    `kinds` gives the kind of each question's answer (unknown names count as UNKNOWN);
    `current` is the kind of `.`, or None outside constraints.
    """
    checker = _Checker(expr.source, kinds, current)
    kind = checker.kind(expr.tree)
    if kind not in (_K.BOOLEAN, _K.UNKNOWN):
        source = checker.text(expr.tree)
        checker.add(
            f"the rule gives {checker.describe(expr.tree, kind)}, not yes or no",
            expr.tree.offset,
            f"make it a condition, e.g. {_AS_CONDITION[kind].format(source)}",
        )
    return checker.problems


def _valid_date(text: str) -> bool:
    try:
        return bool(ISO_DATE.match(text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


class _Checker:
    def __init__(
        self, source: str, kinds: Mapping[str, ValueKind], current: ValueKind | None
    ) -> None:
        self.source = source
        self.kinds = kinds
        self.current = current
        self.problems: list[TypeProblem] = []

    def add(self, message: str, offset: int, fix: str) -> None:
        self.problems.append(TypeProblem(message, offset, fix))

    def text(self, node: Node) -> str:
        return self.source[node.offset : node.end]

    def describe(self, node: Node, kind: ValueKind) -> str:
        return (_DESC_ANSWER if isinstance(node, Ref | Current) else _DESC)[kind]

    def kind(self, node: Node) -> ValueKind:
        match node:
            case Lit(value=None):
                return _K.UNKNOWN
            case Lit():
                value = node.value
                return (
                    _K.BOOLEAN
                    if isinstance(value, bool)
                    else (_K.TEXT if isinstance(value, str) else _K.NUMBER)
                )
            case Ref():
                return self.kinds.get(node.name, _K.UNKNOWN)
            case Current() if self.current is None:
                self.add(
                    "`.` only works in a constraint",
                    node.offset,
                    "use ${question_name} to refer to an answer, or move the rule to constraints",
                )
                return _K.UNKNOWN
            case Current():
                return self.current or _K.UNKNOWN
            case Unary(op="not") | BoolOp():
                what = f"'{node.op}'"
                for operand in (node.operand,) if isinstance(node, Unary) else node.operands:
                    self.condition(operand, what)
                return _K.BOOLEAN
            case Unary():
                return self.arith("-", node.offset, Lit(0, 0, 0), _K.NUMBER, node.operand)
            case Arith():
                result = self.kind(node.first)
                left = node.first
                for op, offset, operand in node.rest:
                    result = self.arith(op, offset, left, result, operand)
                    left = Lit(0, 0, 0)  # later steps start from an intermediate result
                return result
            case IsNull():
                self.kind(node.operand)
                return _K.BOOLEAN
            case Compare():
                self.compare(node, self.kind(node.left), self.kind(node.right))
                return _K.BOOLEAN
            case Call():
                return self.call(node)
        raise AssertionError(node)  # pragma: no cover

    def condition(self, node: Node, what: str) -> None:
        kind = self.kind(node)
        if kind not in (_K.BOOLEAN, _K.UNKNOWN):
            self.add(
                f"{what} needs a yes/no condition, but {self.text(node)} is "
                f"{self.describe(node, kind)}",
                node.offset,
                f"make it a condition, e.g. {_AS_CONDITION[kind].format(self.text(node))}",
            )

    def arith(self, op: str, offset: int, left: Node, lk: ValueKind, right: Node) -> ValueKind:
        rk = self.kind(right)
        if _K.UNKNOWN in (lk, rk):
            return _K.UNKNOWN
        if lk is rk is _K.NUMBER:
            return _K.NUMBER
        if (op, lk, rk) in _DATE_ARITHMETIC:
            return _DATE_ARITHMETIC[op, lk, rk]
        bad, kind = (left, lk) if lk is not _K.NUMBER else (right, rk)
        source = self.text(bad)
        if _K.DATE in (lk, rk):
            message = f"uses '{op}' with a date"
            fix = "add or subtract a number of days (${d} + 7); use days_between() or age() "
            fix += "for numbers"
        else:
            message = f"does arithmetic with {self.describe(bad, kind)}"
            fix = {
                _K.TEXT: f"use length({source}) for the number of characters, or make the "
                "question an integer/decimal",
                _K.BOOLEAN: f"use if({source}, 1, 0) to turn yes/no into a number",
                _K.CHOICES: f"use count_selected({source}) to count the choices",
            }.get(kind, "use numbers only")
        self.add(message, offset, fix)
        return _K.UNKNOWN

    def compare(self, node: Compare, lk: ValueKind, rk: ValueKind) -> None:
        pair, equality = {lk, rk}, node.op in ("=", "!=")
        if _K.UNKNOWN in pair or pair == {_K.NUMBER, _K.CHOICES}:
            return
        if lk is rk and (equality or lk in (_K.NUMBER, _K.DATE, _K.TEXT, _K.CHOICES)):
            return
        if equality and pair == {_K.TEXT, _K.CHOICES}:
            return
        text_node = node.left if lk is _K.TEXT else node.right
        yes_no = isinstance(text_node, Lit) and str(text_node.value).strip().lower() in YES_NO
        if equality and pair == {_K.BOOLEAN, _K.TEXT} and yes_no:
            return
        left, right = self.describe(node.left, lk), self.describe(node.right, rk)
        message = f"compares {left} with {right}" if lk is not rk else f"uses '{node.op}' on {left}"
        if pair == {_K.TEXT, _K.NUMBER} and isinstance(text_node, Lit):
            fix = "write the number without quotes, or make the other question a text question"
        elif pair == {_K.TEXT, _K.NUMBER} and not equality:
            sides = [self.text(node.left), self.text(node.right)]
            sides[text_node is node.right] = f"length({self.text(text_node)})"
            fix = f"use {sides[0]} {node.op} {sides[1]}, or make the question an integer/decimal"
        elif pair == {_K.TEXT, _K.NUMBER}:
            fix = "put the text in quotes, or make the question an integer/decimal"
        elif _K.DATE in pair:
            fix = _DATE_FIX
        elif _K.BOOLEAN in pair:
            fix = _BOOLEAN_FIX
        else:
            fix = _CHOICES_FIX
        self.add(message, node.op_offset, fix)

    def call(self, node: Call) -> ValueKind:
        name, args = node.name, node.args
        if name == "if":
            self.condition(args[0], "if()")
            return self.merge(node, self.kind(args[1]), self.kind(args[2]))
        kinds = [self.kind(arg) for arg in args]
        if name == "coalesce":
            return self.merge(node, kinds[0], kinds[1])
        if name in ("selected", "count_selected") and not isinstance(args[0], Ref | Current):
            self.add(
                f"{name}() needs a question reference as its first value",
                args[0].offset,
                f"write it as {USAGE[name]}",
            )
            kinds[0] = _K.UNKNOWN
        if name == "selected":
            if kinds[0] not in (_K.CHOICES, _K.UNKNOWN):
                self.add(
                    f"selected() is used on {self.text(args[0])}, which is "
                    f"{self.describe(args[0], kinds[0])}, not a choice question",
                    args[0].offset,
                    "use selected() only with select_one or select_multiple questions, and = "
                    "for other answers",
                )
            if kinds[1] not in (_K.NUMBER, _K.TEXT, _K.UNKNOWN):
                self.add(
                    "selected() needs a choice code or name as its second value",
                    args[1].offset,
                    f"write it as {USAGE[name]} or selected(${{q}}, 2)",
                )
        elif name == "date":
            arg = args[0]
            if isinstance(arg, Lit) and isinstance(arg.value, str) and not _valid_date(arg.value):
                self.add(
                    f"'{arg.value}' is not a real date",
                    arg.offset,
                    "write the date as year-month-day, e.g. date('2024-03-31')",
                )
            elif kinds[0] not in (_K.TEXT, _K.DATE, _K.UNKNOWN):
                self.add(
                    f"date() needs text such as '2024-03-31', but {self.text(arg)} is "
                    f"{self.describe(arg, kinds[0])}",
                    arg.offset,
                    "write date('2024-03-31')",
                )
        for arg, kind, wanted in zip(args, kinds, _ARGUMENTS.get(name, ()), strict=False):
            if kind not in (wanted, _K.UNKNOWN):
                needs = _DESC_ANSWER[wanted] if wanted is _K.CHOICES else _DESC[wanted]
                self.add(
                    f"{name}() needs {needs}, but {self.text(arg)} is {self.describe(arg, kind)}",
                    arg.offset,
                    f"write it as {USAGE[name]}",
                )
        return _RESULTS[name]

    def merge(self, node: Call, first: ValueKind, second: ValueKind) -> ValueKind:
        if _K.UNKNOWN in (first, second) or first is second:
            return second if first is _K.UNKNOWN else first
        if {first, second} == {_K.NUMBER, _K.CHOICES}:
            return _K.NUMBER
        self.add(
            f"{node.name}() mixes {_DESC[first]} and {_DESC[second]}",
            node.offset,
            "give both values the same kind, e.g. two numbers or two texts",
        )
        return _K.UNKNOWN
