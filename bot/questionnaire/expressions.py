"""Safe expressions for skip logic (`relevant`) and answer constraints.

`parse` reads the text with a hand-written parser (see `expr_parser`); nothing is ever handed
to Python's eval. `Expression.evaluate_bool` answers "is this condition true?" and never raises
on run-time type problems. `check_types` is the validator's static check.

Semantics in short: unanswered values are null (None); arithmetic with null gives null, a
comparison with null is false except `x = null` / `x != null`; and/or/not treat null as false;
division or `mod` by zero gives null; `mod` keeps the sign of the left value (as in XLSForm);
integers stay `int`, anything with a decimal point or `/` becomes `Decimal`; text comparisons
ignore case; a yes/no answer equals 'yes'/'true' or 'no'/'false'; a select answer compared
with text (`${q} = 'name'`) or `selected(${q}, 'name')` looks the choice name up in
`choice_names`, and digits in quotes (`'3'`) are taken as the code.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.questionnaire.expr_parser import (
    USAGE,
    Arith,
    BoolOp,
    Call,
    Compare,
    Current,
    ExpressionError,
    IsNull,
    Lit,
    Node,
    Ref,
    Unary,
    parse_tree,
)

__all__ = [
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "TypeProblem",
    "ValueKind",
    "check_types",
    "parse",
]

_CONTEXT = decimal.Context(prec=34)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_YES_NO = {"yes": True, "true": True, "no": False, "false": False}
_COLLECTIONS = (list, tuple, set, frozenset)


class ValueKind(enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICES = "choices"  # a select_one (int code) or select_multiple (list of codes) answer
    UNKNOWN = "unknown"


class EvaluationError(Exception):
    """A run-time type problem, e.g. 'abc' + 1. `evaluate_bool` turns it into False."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Expression:
    source: str
    references: frozenset[str]
    uses_current: bool
    tree: Node = field(repr=False, compare=False)

    def evaluate(
        self,
        answers: Mapping[str, object],
        *,
        current: object = None,
        today: datetime.date | None = None,
        choice_names: Mapping[str, Mapping[str, int]] | None = None,
        current_name: str | None = None,
    ) -> object:
        """The value of the expression; raises EvaluationError on a run-time type problem.

        `current_name` is the name of the question being checked, so that choice names work
        with `.` as well (`selected(., 'none')`).
        """
        state = _Evaluator(answers, current, today, choice_names or {}, current_name)
        try:
            with decimal.localcontext(_CONTEXT):
                return state.eval(self.tree)
        except (ArithmeticError, TypeError, ValueError, RecursionError) as error:
            raise EvaluationError(f"cannot work out the value: {error}", 0) from error

    def evaluate_bool(
        self,
        answers: Mapping[str, object],
        *,
        current: object = None,
        today: datetime.date | None = None,
        choice_names: Mapping[str, Mapping[str, int]] | None = None,
        current_name: str | None = None,
    ) -> bool:
        """True only if the expression is true; null and run-time type problems are False."""
        try:
            value = self.evaluate(
                answers,
                current=current,
                today=today,
                choice_names=choice_names,
                current_name=current_name,
            )
        except EvaluationError:
            return False
        return value is True


def parse(source: str) -> Expression:
    """Read an expression; raises ExpressionError (message, offset, fix) if it is not valid."""
    tree = parse_tree(source)
    references: set[str] = set()
    uses_current = False
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            references.add(node.name)
        uses_current = uses_current or isinstance(node, Current)
        stack.extend(_children(node))
    return Expression(source, frozenset(references), uses_current, tree)


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Unary() | IsNull():
            return (node.operand,)
        case BoolOp():
            return node.operands
        case Arith():
            return (node.first, *(operand for _, _, operand in node.rest))
        case Compare():
            return (node.left, node.right)
        case Call():
            return node.args
    return ()


# ---------------------------------------------------------------------------- evaluation


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _is_code(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    return value


def _normal(value: object) -> object:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _truth(value: object, node: Node) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise EvaluationError("a yes/no condition was expected", node.offset)


class _Evaluator:
    def __init__(
        self,
        answers: Mapping[str, object],
        current: object,
        today: datetime.date | None,
        choice_names: Mapping[str, Mapping[str, int]],
        current_name: str | None,
    ) -> None:
        self.answers = answers
        self.current = current
        self.today = today or datetime.date.today()
        self.choice_names = choice_names
        self.current_name = current_name

    def eval(self, node: Node) -> object:
        match node:
            case Lit():
                return node.value
            case Ref():
                return _normal(self.answers.get(node.name))
            case Current():
                return _normal(self.current)
            case Unary(op="not"):
                return not _truth(self.eval(node.operand), node.operand)
            case Unary():
                value = self.eval(node.operand)
                return _arith("-", 0, value, node.offset) if value is not None else None
            case BoolOp():
                wanted = node.op == "or"  # the value that decides: true for or, false for and
                for operand in node.operands:
                    if _truth(self.eval(operand), operand) is wanted:
                        return wanted
                return not wanted
            case Arith():
                value = self.eval(node.first)
                for op, offset, operand in node.rest:
                    value = _arith(op, value, self.eval(operand), offset)
                return value
            case IsNull():
                return (self.eval(node.operand) is None) is not node.negate
            case Compare():
                return self.compare(node)
            case Call():
                return self.call(node)
        raise AssertionError(node)  # pragma: no cover

    def code(self, node: Node, text: str) -> int | None:
        """The code of choice name `text` of the question that `node` refers to."""
        name = node.name if isinstance(node, Ref) else None
        if isinstance(node, Current):
            name = self.current_name
        names = self.choice_names.get(name) if name is not None else None
        if names is not None:
            found = names.get(text, names.get(text.lower()))
            if found is not None:
                return found
        stripped = text.strip()
        return int(stripped) if stripped.isascii() and stripped.isdigit() else None

    def compare(self, node: Compare) -> bool:
        left, right = self.eval(node.left), self.eval(node.right)
        if left is None or right is None:
            return False
        if node.op in ("=", "!="):
            return self.equal(node, left, right) is (node.op == "=")
        if (_is_number(left) and _is_number(right)) or (
            isinstance(left, datetime.date) and isinstance(right, datetime.date)
        ):
            pair: tuple[object, object] = (left, right)
        elif isinstance(left, str) and isinstance(right, str):
            pair = (left.casefold(), right.casefold())
        else:
            raise EvaluationError(f"cannot compare these values with {node.op}", node.op_offset)
        return bool(_ORDER[node.op](*pair))

    def equal(self, node: Compare, left: object, right: object) -> bool:
        for a, b, a_node in ((left, right, node.left), (right, left, node.right)):
            if isinstance(a, bool) and isinstance(b, str) and b.strip().lower() in _YES_NO:
                return a is _YES_NO[b.strip().lower()]
            if _is_code(a) and isinstance(b, str):
                code = self.code(a_node, b)
                if code is not None:
                    return a == code
        if isinstance(left, str) and isinstance(right, str):
            return left.casefold() == right.casefold()
        if isinstance(left, _COLLECTIONS) and isinstance(right, _COLLECTIONS):
            return set(left) == set(right)
        if (_is_number(left) and _is_number(right)) or type(left) is type(right):
            return left == right
        raise EvaluationError("cannot compare these values with =", node.op_offset)

    def call(self, node: Call) -> object:
        name, args = node.name, node.args
        if name == "today":
            return self.today
        if name == "coalesce":
            first = self.eval(args[0])
            return first if first is not None else self.eval(args[1])
        if name == "if":
            return self.eval(args[1] if _truth(self.eval(args[0]), args[0]) else args[2])
        values = [self.eval(arg) for arg in args]
        if name == "selected":
            return self.selected(node, values[0], values[1])
        if name == "count_selected":
            if values[0] is None or isinstance(values[0], _COLLECTIONS):
                return len(values[0] or ())
            if _is_code(values[0]):
                return 1
        elif name == "length" and (values[0] is None or isinstance(values[0], str)):
            return len(values[0] or "")
        elif name == "contains" and None in values:
            return False
        elif name == "contains" and all(isinstance(v, str) for v in values):
            return str(values[1]).casefold() in str(values[0]).casefold()
        elif None in values:
            return None
        elif name == "date" and isinstance(values[0], str) and _ISO_DATE.match(values[0]):
            return datetime.date.fromisoformat(values[0])
        elif all(isinstance(v, datetime.date) for v in values) and name in _DATE_FUNCTIONS:
            return _DATE_FUNCTIONS[name](self.today, *values)
        raise EvaluationError(f"{name}() cannot use these values", node.offset)

    def selected(self, node: Call, answer: object, wanted: object) -> bool:
        if answer is None or wanted is None:
            return False
        code = self.code(node.args[0], wanted) if isinstance(wanted, str) else _whole(wanted)
        if code is None:
            raise EvaluationError("selected() needs a choice code or name", node.args[1].offset)
        if isinstance(answer, _COLLECTIONS):
            return code in answer
        if _is_code(answer):
            return answer == code
        raise EvaluationError("selected() needs a choice question", node.args[0].offset)


def _arith(op: str, left: object, right: object, offset: int) -> object:
    if left is None or right is None:
        return None
    if _is_number(left) and _is_number(right):
        assert isinstance(left, int | Decimal) and isinstance(right, int | Decimal)
        if op in ("/", "mod") and right == 0:
            return None
        if op == "/":
            return Decimal(left) / Decimal(right)
        if op == "mod" and isinstance(left, int) and isinstance(right, int):
            remainder = abs(left) % abs(right)
            return -remainder if left < 0 else remainder
        if op == "mod":
            return Decimal(left) % Decimal(right)
        return left + right if op == "+" else left - right if op == "-" else left * right
    if isinstance(left, datetime.date) and isinstance(right, datetime.date) and op == "-":
        return (left - right).days
    days = _whole(right) if op in ("+", "-") else None
    if isinstance(left, datetime.date) and days is not None:
        return left + datetime.timedelta(days=days if op == "+" else -days)
    if op == "+" and isinstance(right, datetime.date) and _whole(left) is not None:
        return _arith("+", right, left, offset)
    raise EvaluationError(f"cannot use {op} with these values", offset)


def _age(today: datetime.date, born: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_DateFunction = Callable[..., object]
_DATE_FUNCTIONS: dict[str, _DateFunction] = {
    "date": lambda today, d: d,
    "days_between": lambda today, a, b: (b - a).days,
    "age": _age,
    "year": lambda today, d: d.year,
    "month": lambda today, d: d.month,
    "weekday": lambda today, d: d.isoweekday(),
}
_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# ---------------------------------------------------------------------------- static types

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
        return bool(_ISO_DATE.match(text)) and bool(datetime.date.fromisoformat(text))
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
        yes_no = isinstance(text_node, Lit) and str(text_node.value).strip().lower() in _YES_NO
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
