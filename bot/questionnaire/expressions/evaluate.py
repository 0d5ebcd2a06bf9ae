"""Run-time evaluation of questionnaire expressions (see `expressions` for the semantics).

`Evaluator` walks a syntax tree from `expr_parser` against a tenant's answers. Run-time type
problems raise `EvaluationError`; `Expression.evaluate_bool` turns them into False.
"""

from __future__ import annotations

import datetime
import decimal
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

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

__all__ = ["CONTEXT", "ISO_DATE", "YES_NO", "EvaluationError", "Evaluator"]

CONTEXT = decimal.Context(prec=34)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
YES_NO = {"yes": True, "true": True, "no": False, "false": False}
_COLLECTIONS = (list, tuple, set, frozenset)


class EvaluationError(Exception):
    """A run-time type problem, e.g. 'abc' + 1. `evaluate_bool` turns it into False."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


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


class Evaluator:
    """Evaluates syntax trees against one set of answers (see `Expression.evaluate`)."""

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
            if isinstance(a, bool) and isinstance(b, str) and b.strip().lower() in YES_NO:
                return a is YES_NO[b.strip().lower()]
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
        elif name == "date" and isinstance(values[0], str) and ISO_DATE.match(values[0]):
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
