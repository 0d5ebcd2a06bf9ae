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

This module is the public entry point. Reading lives in `expr_tokens`, `expr_tree` and
`expr_parser`, run-time evaluation in `expr_eval`, and the static checks in `expr_types`.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.questionnaire.expressions.evaluate import CONTEXT, EvaluationError, Evaluator
from bot.questionnaire.expressions.parser import parse_tree
from bot.questionnaire.expressions.tokens import ExpressionError
from bot.questionnaire.expressions.tree import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Current,
    IsNull,
    Node,
    Ref,
    Unary,
)
from bot.questionnaire.expressions.type_check import TypeProblem, ValueKind, check_types

__all__ = [
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "TypeProblem",
    "ValueKind",
    "check_types",
    "parse",
]


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
        state = Evaluator(answers, current, today, choice_names or {}, current_name)
        try:
            with decimal.localcontext(CONTEXT):
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
