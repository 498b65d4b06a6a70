"""The metric families the code registers, read from its source (including families a service
registers lazily, on first use), so rules and dashboards can only name metrics that exist."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nsl

KINDS = {"Counter": "counter", "Gauge": "gauge", "Histogram": "histogram", "Info": "info"}
PREFIX = "nsl_"


@dataclass(frozen=True)
class Family:
    """One metric family: its name as registered, kind, label names and help text."""

    name: str
    kind: str
    labels: tuple[str, ...]
    help: str
    module: str

    @property
    def exposed(self) -> str:
        """The family name on ``/metrics`` (``# TYPE`` line)."""
        return f"{self.name}_info" if self.kind == "info" else self.name

    @property
    def series(self) -> tuple[str, ...]:
        """Every series name a scrape of this family can return."""
        if self.kind == "histogram":
            return tuple(f"{self.name}_{s}" for s in ("bucket", "sum", "count"))
        return (self.exposed,)


@cache
def families() -> tuple[Family, ...]:
    """Every ``nsl_*`` family constructed anywhere in the ``nsl`` package, sorted by name."""
    root = Path(nsl.__file__).parent
    found: dict[str, Family] = {}
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for family in _families_in(ast.parse(path.read_text(encoding="utf-8")), module):
            found.setdefault(family.name, family)
    return tuple(sorted(found.values(), key=lambda f: f.name))


def series_names() -> frozenset[str]:
    """Every series name the code can export."""
    return frozenset(s for f in families() for s in f.series)


def with_prefix(prefix: str) -> tuple[Family, ...]:
    """The families whose name starts with ``prefix`` (a service's domain metrics)."""
    return tuple(f for f in families() if f.name.startswith(prefix))


def _families_in(tree: ast.AST, module: str) -> list[Family]:
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        ctor = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        name = _string(node.args[0]) if node.args else None
        if ctor not in KINDS or name is None or not name.startswith(PREFIX):
            continue
        help_text = _string(node.args[1]) if len(node.args) > 1 else None
        labels = node.args[2] if len(node.args) > 2 else _keyword(node, "labelnames")
        out.append(Family(name, KINDS[ctor], _strings(labels), help_text or "", module))
    return out


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(node: ast.expr | None) -> tuple[str, ...]:
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(s for s in (_string(e) for e in node.elts) if s is not None)
    return ()
