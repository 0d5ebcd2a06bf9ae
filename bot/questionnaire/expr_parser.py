"""Tokenizer, syntax tree and parser for questionnaire expressions.

Nothing here evaluates anything: `parse_tree` turns the text of a `relevant` or constraint
`rule` into an immutable tree, or raises `ExpressionError` with a plain-language message, the
0-based character offset of the problem and a suggested fix. The public entry point is
`bot.questionnaire.expressions.parse`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

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
_WORD_OPS = frozenset({"and", "or", "not", "mod"})
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_BINDING = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6, "mod": 6} | dict.fromkeys(
    COMPARISONS, 4
)
_NOT_BP, _COMPARE_BP, _NEG_BP = 3, 4, 7
_SYMBOLS = ("==", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/")
_LOOKALIKES = {
    "&&": "and",
    "||": "or",
    "<>": "!=",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "&": "and",
    "|": "or",
    "!": "not",
    "%": "mod",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
}
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_OPERAND_HINT = "a number, 'text' in quotes or ${question}"


class ExpressionError(Exception):
    """A problem found while reading an expression, explained for questionnaire authors."""

    def __init__(self, message: str, offset: int, fix: str) -> None:
        super().__init__(f"{message} — {fix}")
        self.message = message
        self.offset = offset
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num str lit ref dot word op ( ) , end
    text: str  # as written in the source
    offset: int
    value: object = None  # number, text, literal value, reference name, lower-cased word


@dataclass(frozen=True, slots=True)
class Span:
    offset: int  # where the node starts in the source
    end: int  # just after it (brackets around it are not included)


@dataclass(frozen=True, slots=True)
class Lit(Span):
    value: int | Decimal | str | bool | None


@dataclass(frozen=True, slots=True)
class Ref(Span):
    name: str


@dataclass(frozen=True, slots=True)
class Current(Span):
    pass


@dataclass(frozen=True, slots=True)
class Unary(Span):
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Span):
    op: str  # "and" or "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Arith(Span):
    """`first op operand op operand ...`, left to right, all of one precedence level."""

    first: Node
    rest: tuple[tuple[str, int, Node], ...]  # (operator, its offset, right operand)


@dataclass(frozen=True, slots=True)
class Compare(Span):
    op: str  # = != < <= > >=
    op_offset: int
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class IsNull(Span):
    """`x = null` / `x != null`: the only comparisons that are true for a null value."""

    operand: Node
    negate: bool


@dataclass(frozen=True, slots=True)
class Call(Span):
    name: str
    args: tuple[Node, ...]


Node = Lit | Ref | Current | Unary | BoolOp | Arith | Compare | IsNull | Call


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
            continue
        if char == "$":
            token = _reference(source, i)
        elif char in "'\"":
            token = _string(source, i)
        elif char in "0123456789":
            token = _number(source, i)
        elif char == ".":
            if source[i + 1 : i + 2].isdigit():
                raise ExpressionError(
                    "a decimal number must start with a digit", i, "write 0.5 instead of .5"
                )
            token = Token("dot", ".", i)
        elif match := _WORD.match(source, i):
            word = match.group().lower()
            if word in _LITERALS:
                token = Token("lit", match.group(), i, _LITERALS[word])
            else:
                token = Token("op" if word in _WORD_OPS else "word", match.group(), i, word)
        elif bad := next((k for k in _LOOKALIKES if source.startswith(k, i)), None):
            if bad != "!" or not source.startswith("!=", i):
                raise ExpressionError(
                    f"'{bad}' is not understood here", i, f"write {_LOOKALIKES[bad]} instead"
                )
            token = Token("op", "!=", i, "!=")
        elif symbol := next((s for s in _SYMBOLS if source.startswith(s, i)), None):
            token = Token("op", symbol, i, symbol)
        elif char in "(),":
            token = Token(char, char, i)
        else:
            raise ExpressionError(
                f"the character '{char}' is not understood",
                i,
                "remove it; text must be inside quotes, like 'text'",
            )
        tokens.append(token)
        i = token.offset + len(token.text)
    tokens.append(Token("end", "", n))
    return tokens


def _reference(source: str, i: int) -> Token:
    if not source.startswith("${", i):
        raise ExpressionError(
            "'$' must be followed by {", i, "write a reference to an answer as ${question_name}"
        )
    j = i + 2
    while j < len(source) and (source[j].isalnum() or source[j] in "_- ."):
        j += 1
    if j >= len(source) or source[j] != "}":
        raise ExpressionError(
            "'${' is not closed with '}'", i, "write a reference as ${question_name}, ending in }"
        )
    name = source[i + 2 : j]
    if not name.strip():
        raise ExpressionError(
            "'${}' has no question name in it", i, "put a question name inside, e.g. ${age}"
        )
    if not _NAME.match(name):
        better = name.strip().lower()
        if _NAME.match(better):
            spaces = name != name.strip()
            raise ExpressionError(
                "spaces are not allowed inside ${...}"
                if spaces
                else "question names are written in lower case",
                i + 2,
                f"write ${{{better}}}",
            )
        raise ExpressionError(
            f"'{name}' is not a valid question name",
            i + 2,
            "question names use lower-case letters, digits and _ and start with a letter, "
            "e.g. ${date_of_birth}",
        )
    return Token("ref", source[i : j + 1], i, name)


def _string(source: str, i: int) -> Token:
    quote, j, chars = source[i], i + 1, []
    while j < len(source):
        if source[j] == "\\" and source[j + 1 : j + 2] in (quote, "\\"):
            chars.append(source[j + 1])
            j += 2
        elif source[j] == quote:
            return Token("str", source[i : j + 1], i, "".join(chars))
        else:
            chars.append(source[j])
            j += 1
    raise ExpressionError(
        f"the text starting with {quote} is not closed",
        i,
        f"add a closing {quote} at the end of the text",
    )


def _number(source: str, i: int) -> Token:
    match = _NUMBER.match(source, i)
    assert match is not None  # the caller saw a digit
    end = match.end()
    if end < len(source) and (source[end].isalnum() or source[end] in "_."):
        bad_end = end
        while bad_end < len(source) and (source[bad_end].isalnum() or source[bad_end] in "_."):
            bad_end += 1
        bad = source[i:bad_end]
        if "." not in match.group() and source[end] == "." and bad_end == end + 1:
            raise ExpressionError(
                f"'{bad}' has nothing after the decimal point",
                i,
                f"write {match.group()}.0 or {match.group()}",
            )
        raise ExpressionError(
            f"'{bad}' is not a number",
            i,
            "write numbers with digits and at most one decimal point, e.g. 3.5, and put a "
            "space between a number and a word",
        )
    text = match.group()
    return Token("num", text, i, Decimal(text) if "." in text else int(text))


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
                if _NAME.match(token.text)
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
