"""Blue and green share one schema: a migration's upgrade only expands it (new tables, columns,
indexes) unless its docstring declares it a contract step, shipped a release after the last
reader of what it removes (docs/operations-rollout.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[3] / "src/nsl/db/migrations/versions"
CONTRACTING = {"drop_table", "drop_column", "alter_column", "rename_table", "drop_constraint"}


def contracting_calls(tree: ast.Module) -> list[str]:
    upgrade = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
    )
    return sorted(
        node.func.attr
        for node in ast.walk(upgrade)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CONTRACTING
    )


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("0*.py")), ids=lambda p: p.stem)
def test_an_upgrade_only_expands_unless_declared_a_contract_step(path: Path) -> None:
    tree = ast.parse(path.read_text())
    found = contracting_calls(tree)
    declared = "contract step" in (ast.get_docstring(tree) or "").lower()
    assert not found or declared, f"{path.name} removes or changes schema ({found})"


def test_the_check_sees_a_contracting_upgrade() -> None:
    source = "def upgrade():\n    op.drop_column('t', 'c')\n"
    assert contracting_calls(ast.parse(source)) == ["drop_column"]
