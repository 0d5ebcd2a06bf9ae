"""Only the engine's public surface is imported from outside `bot/engine/`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PUBLIC = {
    "bot.engine.engine",
    "bot.engine.messages",
    "bot.engine.render",
    "bot.engine.commands",
    "bot.engine.contacts",
    "bot.engine.links",
    "bot.engine.bulk",
    "bot.engine.bulk_blocks",
    "bot.engine.upkeep",
    "bot.engine.link_models",
}
OUTSIDE = ("bot", "channels", "api", "analysis", "bench")


def engine_imports(path: Path) -> set[str]:
    """The engine modules one file imports (`from bot.engine import x` counts as x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bot.engine")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.engine"):
            if node.module == "bot.engine":
                found |= {f"bot.engine.{alias.name}" for alias in node.names}
            else:
                found.add(str(node.module))
    return found


def test_nothing_outside_the_engine_imports_its_internals() -> None:
    offenders = {}
    scanned = 0
    for folder in OUTSIDE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            scanned += 1
            if path.is_relative_to(ROOT / "bot" / "engine"):
                continue
            internal = engine_imports(path) - PUBLIC
            if internal:
                offenders[str(path.relative_to(ROOT))] = sorted(internal)
    assert scanned > 100, "the check must see the whole code base"
    assert offenders == {}


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.engine import store\nfrom bot.engine.turn.context import Pending\n")
    assert engine_imports(sample) - PUBLIC == {"bot.engine.store", "bot.engine.turn.context"}
