"""Syntax tree of questionnaire expressions: immutable nodes built by `expr_parser`.

Every node records where it starts in the source (`offset`) and just after where it ends
(`end`), so that messages can point at the text a problem comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Arith",
    "BoolOp",
    "Call",
    "Compare",
    "Current",
    "IsNull",
    "Lit",
    "Node",
    "Ref",
    "Span",
    "Unary",
]


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
