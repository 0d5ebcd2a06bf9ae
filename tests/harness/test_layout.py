"""The test tree keeps its own rules: shared helpers live in tests/support/, so no test
module imports another, and every test folder mirrors a package."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            leaf = node.module.rsplit(".", 1)[-1]
            if node.module.startswith("tests.") and leaf.startswith(("test_", "conftest")):
                found.append(node.module)
    return found


def test_no_test_module_imports_another() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 50, "the check must see the whole test tree"
    offenders = {str(p.relative_to(TESTS)): imported_test_modules(p) for p in files}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from tests.bot.privacy.test_rights import every_value\n")
    assert imported_test_modules(sample) == ["tests.bot.privacy.test_rights"]


def test_every_test_folder_is_a_package() -> None:
    folders = {p.parent for p in TESTS.rglob("test_*.py")}
    assert sorted(str(f) for f in folders if not (f / "__init__.py").exists()) == []
