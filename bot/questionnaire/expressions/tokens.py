"""Tokenizer for questionnaire expressions.

`tokenize` splits the text of a `relevant` or constraint rule into tokens, or raises
`ExpressionError` with a plain-language message, the 0-based character offset of the problem
and a suggested fix. The parser (`expr_parser`) builds a syntax tree from the tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["NAME", "ExpressionError", "Token", "tokenize"]

_WORD_OPS = frozenset({"and", "or", "not", "mod"})
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
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
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


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
    if not NAME.match(name):
        better = name.strip().lower()
        if NAME.match(better):
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
