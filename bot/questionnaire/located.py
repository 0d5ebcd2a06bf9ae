"""YAML loading that remembers where every key and item came from.

The validator points authors at `file:line:col`, the way XLSForm points at a spreadsheet
row, so the parsed structure keeps 1-based positions beside the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


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
    """YAML 1.2 booleans: only true/false, so a label `Yes` or a name `no` stays text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
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
