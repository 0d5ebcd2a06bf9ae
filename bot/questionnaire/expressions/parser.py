"""Parser for questionnaire expressions.

Nothing here evaluates anything: `parse_tree` turns the text of a `relevant` or constraint
`rule` into an immutable tree, or raises `ExpressionError` with a plain-language message, the
0-based character offset of the problem and a suggested fix. The tokens come from
`expr_tokens` and the nodes are defined in `expr_tree`; both are re-exported here. The public
entry point is `bot.questionnaire.expressions.parse`.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import NoReturn

from bot.questionnaire.expressions.tokens import NAME, ExpressionError, Token, tokenize
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
    Span,
    Unary,
)

__all__ = [
    "COMPARISONS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "USAGE",
    "Arith",
    "BoolOp",
    "Call",
    "Compare",
    "Current",
    "ExpressionError",
    "IsNull",
    "Lit",
    "Node",
    "Ref",
    "Span",
    "Token",
    "Unary",
    "parse_tree",
    "tokenize",
]

MAX_LENGTH = 2000
MAX_DEPTH = 50

#: function name -> number of values it takes
FUNCTIONS: dict[str, int] = {
    "selected": 2,
    "count_selected": 1,
    "today": 0,
    "date": 1,
    "days_between": 2,
    "age": 1,
    "year": 1,
    "month": 1,
    "weekday": 1,
    "length": 1,
    "contains": 2,
    "coalesce": 2,
    "if": 3,
}
USAGE: dict[str, str] = {
    "selected": "selected(${question}, 'choice_name')",
    "count_selected": "count_selected(${q})",
    "today": "today()",
    "date": "date('2024-03-31')",
    "days_between": "days_between(${a}, ${b})",
    "age": "age(${date_of_birth})",
    "year": "year(${d})",
    "month": "month(${d})",
    "weekday": "weekday(${d})",
    "length": "length(${text})",
    "contains": "contains(${t}, 'x')",
    "coalesce": "coalesce(${a}, 0)",
    "if": "if(${a} > 1, 'yes', 'no')",
}
COMPARISONS = frozenset({"=", "==", "!=", "<", "<=", ">", ">="})
_BINDING = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6, "mod": 6} | dict.fromkeys(
    COMPARISONS, 4
)
_NOT_BP, _COMPARE_BP, _NEG_BP = 3, 4, 7
_OPERAND_HINT = "a number, 'text' in quotes or ${question}"


def parse_tree(source: str) -> Node:
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is longer than {MAX_LENGTH} characters",
            MAX_LENGTH,
            "split the logic into simpler conditions",
        )
    if not source.strip():
        raise ExpressionError(
            "the expression is empty", 0, "write a condition such as ${age} >= 18, or remove it"
        )
    return _Parser(tokenize(source)).parse()


def _shown(token: Token) -> str:
    """The token as quoted in a message: 'abc', or text in quotes as it was written."""
    text = token.text if len(token.text) <= 30 else token.text[:27] + "..."
    return text if token.kind == "str" else f"'{text}'"


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += min(1, len(self.tokens) - 1 - self.pos)
        return token

    def before(self, token: Token) -> Token | None:
        index = self.tokens.index(token)
        return self.tokens[index - 1] if index > 0 else None

    def is_op(self, token: Token, *ops: str) -> bool:
        return token.kind == "op" and token.value in ops

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind == ")":
            raise ExpressionError(
                "there is a ')' without a matching '('",
                token.offset,
                "remove the ')' or add the missing '('",
            )
        if token.kind != "end":
            self.unexpected(token, "join conditions with and / or, or remove the extra text")
        return node

    def unexpected(self, token: Token, fix: str) -> NoReturn:
        previous = self.before(token)
        after = f" after {_shown(previous)}" if previous is not None else ""
        raise ExpressionError(f"unexpected {_shown(token)}{after}", token.offset, fix)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                token.offset,
                "use fewer brackets, 'not's and minus signs, or split it into simpler conditions",
            )

    def expression(self, min_bp: int) -> Node:
        left = self.prefix()
        while True:
            token = self.peek()
            bp = _BINDING.get(str(token.value)) if token.kind == "op" else None
            if bp is None or bp <= min_bp:
                return left
            op = str(token.value)
            if op in ("and", "or"):
                operands = [left]
                while self.is_op(self.peek(), op):
                    self.advance()
                    operands.append(self.expression(bp))
                left = BoolOp(left.offset, operands[-1].end, op, tuple(operands))
            elif op in COMPARISONS:
                self.advance()
                right = self.expression(bp)
                left = _comparison(left, "=" if op == "==" else op, token.offset, right)
                if self.peek().kind == "op" and self.peek().value in COMPARISONS:
                    raise ExpressionError(
                        "two comparisons cannot be chained",
                        self.peek().offset,
                        "join them with and, e.g. ${a} > 1 and ${a} < 5",
                    )
            else:
                rest: list[tuple[str, int, Node]] = []
                while self.peek().kind == "op" and _BINDING.get(str(self.peek().value)) == bp:
                    operator = self.advance()
                    rest.append((str(operator.value), operator.offset, self.expression(bp)))
                left = Arith(left.offset, rest[-1][2].end, left, tuple(rest))

    def prefix(self) -> Node:
        token = self.advance()
        end = token.offset + len(token.text)
        if token.kind in ("num", "str", "lit"):
            assert isinstance(token.value, int | Decimal | str | bool | None)
            return Lit(token.offset, end, token.value)
        if token.kind == "ref":
            return Ref(token.offset, end, str(token.value))
        if token.kind == "dot":
            return Current(token.offset, end)
        if token.kind == "(":
            return self.group(token)
        if self.is_op(token, "-", "not"):
            self.enter(token)
            operand = self.expression(_NEG_BP if token.value == "-" else _NOT_BP)
            self.depth -= 1
            return Unary(token.offset, operand.end, str(token.value), operand)
        if token.kind == "word":
            if self.peek().kind == "(":
                return self.call(token)
            name = str(token.value)
            if name in FUNCTIONS:
                raise ExpressionError(
                    f"the function {name} needs brackets", token.offset, f"write {USAGE[name]}"
                )
            quoted = f"'{token.text}' in quotes"
            raise ExpressionError(
                f"{_shown(token)} is not understood",
                token.offset,
                f"write text as {quoted}, or refer to a question as ${{{token.text}}}"
                if NAME.match(token.text)
                else f"write text as {quoted}",
            )
        self.missing_operand(token)

    def missing_operand(self, token: Token) -> NoReturn:
        previous = self.before(token)
        if previous is None and token.kind == ")":
            raise ExpressionError(
                "there is a ')' without a matching '('",
                token.offset,
                "remove the ')' or add the missing '('",
            )
        if previous is None:
            raise ExpressionError(
                f"the expression starts with {_shown(token)}",
                token.offset,
                f"put a value before '{token.text}', e.g. ${{age}} > 18",
            )
        if token.kind == "end" and previous.kind == "(":
            raise ExpressionError(
                "this '(' is never closed", previous.offset, "add a value and a ')' to close it"
            )
        if token.kind == "end":
            raise ExpressionError(
                f"the expression ends after {_shown(previous)} but a value is missing",
                token.offset,
                f"add {_OPERAND_HINT} after {_shown(previous)}",
            )
        if previous.kind == "(" and token.kind == ")":
            raise ExpressionError(
                "the brackets '()' are empty",
                previous.offset,
                "put a condition inside the brackets or remove them",
            )
        if previous.kind in ",(" and token.kind in ",)":
            raise ExpressionError(
                f"a value is missing before '{token.text}'",
                token.offset,
                "put a value there or remove the extra comma",
            )
        if previous.kind == "op" and token.kind == "op":
            if previous.value in COMPARISONS and token.value in COMPARISONS:
                joined = previous.text + token.text
                fixes = {"=>": "write >= instead of =>", "=<": "write <= instead of =<"}
                fix = "use one comparison operator such as >, >= or ="
                if previous.offset + len(previous.text) == token.offset:
                    fix = fixes.get(joined, fix)
                raise ExpressionError(
                    f"unexpected '{token.text}' after '{previous.text}'", token.offset, fix
                )
            self.unexpected(token, f"put a value between '{previous.text}' and '{token.text}'")
        self.unexpected(token, f"put {_OPERAND_HINT} here")

    def group(self, opening: Token) -> Node:
        self.enter(opening)
        inner = self.expression(0)
        closing = self.peek()
        if closing.kind == "end":
            raise ExpressionError(
                "this '(' is never closed", opening.offset, "add a ')' to close it"
            )
        if closing.kind != ")":
            self.unexpected(
                closing,
                f"close the bracket opened at character {opening.offset + 1} with ')', or join "
                "conditions with and / or",
            )
        self.advance()
        self.depth -= 1
        return inner

    def call(self, name_token: Token) -> Node:
        name = str(name_token.value)
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            raise ExpressionError(
                f"there is no function called {_shown(name_token)}",
                name_token.offset,
                f"did you mean {close[0]}()?"
                if close
                else f"use one of: {', '.join(f + '()' for f in FUNCTIONS)}",
            )
        opening = self.advance()
        self.enter(opening)
        args: list[Node] = []
        while self.peek().kind != ")" or args:
            args.append(self.expression(0))
            token = self.peek()
            if token.kind == ")":
                break
            if token.kind == "end":
                raise ExpressionError(
                    f"the bracket after {name} is never closed",
                    opening.offset,
                    f"add a ')', e.g. {USAGE[name]}",
                )
            if token.kind != ",":
                self.unexpected(token, f"separate the values with commas, e.g. {USAGE[name]}")
            self.advance()
        closing = self.advance()
        self.depth -= 1
        if len(args) != FUNCTIONS[name]:
            wanted = FUNCTIONS[name]
            needs = {0: "no values", 1: "1 value"}.get(wanted, f"{wanted} values")
            raise ExpressionError(
                f"{name}() takes {needs} but was given {len(args)}",
                name_token.offset,
                f"write it as {USAGE[name]}",
            )
        return Call(name_token.offset, closing.offset + 1, name, tuple(args))


def _comparison(left: Node, op: str, op_offset: int, right: Node) -> Node:
    if op in ("=", "!=") and isinstance(right, Lit) and right.value is None:
        return IsNull(left.offset, right.end, left, op == "!=")
    if op in ("=", "!=") and isinstance(left, Lit) and left.value is None:
        return IsNull(left.offset, right.end, right, op == "!=")
    return Compare(left.offset, right.end, op, op_offset, left, right)
