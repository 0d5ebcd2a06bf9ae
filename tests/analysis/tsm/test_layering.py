"""The TSM layer sits below the report: it may use shared words, never the report itself."""

from __future__ import annotations

import ast
from pathlib import Path

import analysis.tsm

TSM = Path(analysis.tsm.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_tsm_module_imports_the_report() -> None:
    offenders = {
        path.name: sorted(n for n in imported_modules(path) if n.startswith("analysis.report"))
        for path in sorted(TSM.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_summary_of_approach_takes_its_words_from_the_shared_module() -> None:
    assert "analysis.words" in imported_modules(TSM / "approach.py")
