"""YAML loading that remembers where every key and item came from.

The validator points authors at `file:line:col`, the way XLSForm points at a spreadsheet
row, so the parsed structure keeps 1-based positions beside the values.

Questionnaires are uploaded by signed-in officers, so the loader refuses what YAML allows
but the format never needs, before anything is built: anchors and aliases (a 344-byte
"billion laughs" expands to gigabytes), tags other than YAML's plain types, control
characters, documents over `MAX_CHARACTERS` and nesting deeper than `MAX_DEPTH`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_CHARACTERS = 1_000_000
MAX_DEPTH = 40  # the format nests about six levels deep
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
# Control characters other than tab, line feed and carriage return (YAML allows "\0" escapes).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class LocatedMap(dict[str, Any]):
    """A mapping that knows the position of itself, of each key and of each value."""

    position: Position
    key_positions: dict[str, Position]
    value_positions: dict[str, Position]

    def key_at(self, key: str) -> Position:
        return self.key_positions.get(key, self.position)

    def value_at(self, key: str) -> Position:
        return self.value_positions.get(key, self.key_at(key))


class LocatedList(list[Any]):
    position: Position
    item_positions: list[Position]

    def item_at(self, index: int) -> Position:
        if 0 <= index < len(self.item_positions):
            return self.item_positions[index]
        return self.position


class YamlProblem(Exception):
    def __init__(self, message: str, position: Position, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.fix = fix


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so a label `Yes` or a name `no` stays text.

    Composing refuses aliases, anchors, unusual tags and deep nesting as each node starts,
    so nothing is ever expanded or recursed into.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        _refuse(event)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlProblem(
                f"the YAML is nested more than {MAX_DEPTH} levels deep",
                _mark_position(event),
                "a questionnaire needs only a few levels; check the brackets and indentation",
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _mark_position(event: Any) -> Position:
    return Position(event.start_mark.line + 1, event.start_mark.column + 1)


def _refuse(event: Any) -> None:
    """Raise YamlProblem for a node the questionnaire format does not allow."""
    at = _mark_position(event)
    if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
        raise YamlProblem(
            "anchors and aliases (& and *) are not allowed in questionnaires",
            at,
            "write the text out in full",
        )
    tagged = isinstance(event, ScalarEvent | CollectionStartEvent)
    tag = event.tag if tagged else None
    if tag is not None and tag not in STANDARD_TAGS and tag != "!":
        raise YamlProblem(
            f"the YAML tag {tag[:40]!r} is not allowed in questionnaires",
            at,
            "remove the tag; put text in quotes if it must stay text",
        )
    if isinstance(event, ScalarEvent) and _CONTROL.search(event.value):
        raise YamlProblem(
            "a value contains a hidden control character (such as NUL)",
            at,
            "retype the value without the escape or invisible character",
        )


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self) -> None:
        self.duplicate_keys: list[YamlProblem] = []
        self._scalars = _Loader("")

    def build(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            items = LocatedList(self.build(child) for child in node.value)
            items.position = _position(node)
            items.item_positions = [_position(child) for child in node.value]
            return items
        assert isinstance(node, ScalarNode)
        return self._scalars.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode) -> LocatedMap:
        result = LocatedMap()
        result.position = _position(node)
        result.key_positions = {}
        result.value_positions = {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                self.duplicate_keys.append(
                    YamlProblem(
                        f"the key '{key}' appears twice in the same block",
                        _position(key_node),
                        "keep one of them; YAML would silently use the last",
                    )
                )
            result[key] = self.build(value_node)
            result.key_positions[key] = _position(key_node)
            result.value_positions[key] = _position(value_node)
        return result


def load_located(text: str) -> tuple[Any, list[YamlProblem]]:
    """Parse YAML text; raise YamlProblem on a syntax error, return duplicate-key problems."""
    if len(text) > MAX_CHARACTERS:
        raise YamlProblem(
            f"the file is longer than {MAX_CHARACTERS:,} characters",
            Position(1, 1),
            "split it into smaller questionnaires",
        )
    if (found := _CONTROL.search(text)) is not None:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise YamlProblem(
            f"the file contains a hidden control character (code {ord(found.group())})",
            Position(line, column),
            "delete it; it was probably pasted in from another program",
        )
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = error.problem or error.context or "the YAML is malformed"
        raise YamlProblem(
            f"YAML syntax error: {problem}",
            position,
            "check indentation, colons and quotes on this line and the one above",
        ) from error
    except yaml.YAMLError as error:  # e.g. a character YAML refuses, found by the reader
        raise YamlProblem(
            "the file contains a character YAML does not accept",
            Position(1, 1),
            "save it as plain UTF-8 text without special or invisible characters",
        ) from error
    if root is None:
        return None, []
    builder = _Builder()
    try:
        value = builder.build(root)
    except yaml.YAMLError as error:
        raise YamlProblem(
            f"YAML value error: {error}", _position(root), "quote the value as a string"
        ) from error
    return value, builder.duplicate_keys
