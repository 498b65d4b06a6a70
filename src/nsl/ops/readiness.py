"""Readiness per service, generated from what is registered, routed and tested (never hand-written).

Routes come from building each service's router without starting anything; test files from
the test tree; test results only from a pytest JUnit file, so "passing" always has evidence.
"""

from __future__ import annotations

import ast
import importlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from nsl.core import catalogue
from nsl.core.settings import Settings
from nsl.gateway.infra import infra_router
from nsl.ops.junit import Counts, read_junit
from nsl.runtime import Runtime

GATEWAY = "gateway"
CLIENT_CLASSES = frozenset({"Client", "AsyncClient"})


@dataclass(frozen=True)
class SeedService:
    """One row of the seed's readiness column, with the catalogue name it becomes here."""

    seed_name: str
    phase: int
    readiness: str
    name: str


SEED: tuple[SeedService, ...] = (
    SeedService("api-gateway", 1, "9/10 READY", GATEWAY),
    SeedService("smart-contracts", 1, "9/10", "contracts"),
    SeedService("configuration", 1, "9/10", "configuration"),
    SeedService("automation", 1, "9/10", "automation"),
    SeedService("key-management", 2, "8/10 NEAR_READY", "keys"),
    SeedService("notification", 2, "8/10", "notifications"),
    SeedService("ai-pattern-recognition", 2, "9/10", "pattern-recognition"),
    SeedService("oracle", 3, "NEEDS_COMPLETION", "oracle"),
    SeedService("storage", 3, "NEEDS_COMPLETION", "storage"),
    SeedService("crosschain", 3, "8/10", "cross-chain"),
    SeedService("voting", 4, "MAJOR_WORK_NEEDED", "voting"),
    SeedService("compliance", 4, "after rule engine implementation", "compliance"),
    SeedService("zero-knowledge", 4, "8/10", "zk"),
    SeedService("social-recovery", 4, "after complete implementation", "social-recovery"),
)


@dataclass
class Row:
    name: str
    phase: int
    built: bool
    seed_name: str = ""
    seed_readiness: str = ""
    routes: int | None = None
    tests: dict[str, list[str]] = field(default_factory=dict)
    results: Counts | None = None

    @property
    def test_state(self) -> str:
        """``none``, ``present`` (no run given), ``not in the run``, or the run's counts."""
        if not any(self.tests.values()):
            return "none"
        if self.results is None:
            return "present"
        return self.results.summary()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phase": self.phase,
            "status": "built" if self.built else "not built",
            "seed_name": self.seed_name or None,
            "seed_readiness": self.seed_readiness or None,
            "routes": self.routes,
            "tests": self.tests,
            "test_state": self.test_state,
            "results": self.results.as_dict() if self.results else None,
        }


class _DefaultsOnly(Settings):
    """Settings from code defaults alone, so the report does not depend on this shell's env."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        *_: Any,
        **__: Any,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def route_counts() -> dict[str, int]:
    """Distinct (method, path) routes of every catalogue service and of the gateway itself."""
    with tempfile.TemporaryDirectory() as scratch:  # constructors do no I/O; nothing lands here
        settings = _DefaultsOnly(env="test", data_dir=Path(scratch))
        runtime = Runtime(settings, only=[e.name for e in catalogue.CATALOGUE])
        counts = {GATEWAY: _distinct(infra_router(runtime).routes)}
        for name, service in runtime.services.items():
            router = service.routes()
            counts[name] = _distinct(router.routes) if router is not None else 0
    return counts


def _distinct(routes: list[Any]) -> int:
    pairs = {
        (method, (getattr(r, "path", "").rstrip("/") or "/"))
        for r in routes
        if getattr(r, "include_in_schema", True)
        for method in (getattr(r, "methods", None) or ())
    }
    return len(pairs)


def _client_methods(name: str) -> list[str]:
    module_name = "infra" if name == GATEWAY else name.replace("-", "_")
    try:
        module = importlib.import_module(f"nsl.client.{module_name}")
    except ModuleNotFoundError:
        return []
    return sorted(
        attr
        for cls_name, cls in vars(module).items()
        if cls_name.endswith("Endpoints") and isinstance(cls, type)
        for attr in vars(cls)
        if not attr.startswith("_")
    )


def _prefixes(name: str) -> tuple[str, ...]:
    if name == GATEWAY:
        return ("/health", "/api/info", "/metrics")
    return (f"/api/v1/{name}",)


def _uses(text: str) -> set[str]:
    """Methods called on a ``Client(...)``/``AsyncClient(...)`` and ``run_nsl`` command groups."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()

    def is_client(node: ast.expr | None) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in CLIENT_CLASSES
        )

    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.withitem) and is_client(node.context_expr):
            if isinstance(node.optional_vars, ast.Name):
                bound.add(node.optional_vars.id)
        elif isinstance(node, ast.Assign) and is_client(node.value):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    used: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in bound:
                used.add(func.attr)
        elif isinstance(func, ast.Name) and func.id == "run_nsl" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                used.add(f"nsl {first.value}")
    return used


def test_files(root: Path, name: str) -> dict[str, list[str]]:
    """Test files exercising a service: its integration and unit dirs, and e2e files using it.

    An e2e file uses a service when it names one of its route prefixes or calls one of its
    ``nsl.client`` methods on a client it made or runs its ``nsl <name>`` command group.
    """
    tests = root / "tests"
    found: dict[str, list[str]] = {}
    for tier in ("integration", "unit"):
        directory = tests / tier / name
        found[tier] = sorted(
            p.relative_to(root).as_posix() for p in directory.rglob("test_*.py") if p.is_file()
        )
    methods = {*_client_methods(name), f"nsl {name}"}
    e2e: list[str] = []
    for path in sorted((tests / "e2e").glob("test_*.py")):
        text = path.read_text(errors="replace")
        if any(p in text for p in _prefixes(name)) or methods & _uses(text):
            e2e.append(path.relative_to(root).as_posix())
    found["e2e"] = e2e
    return found


def build_report(root: Path, junit: Path | None = None) -> list[Row]:
    """One row per built service (gateway first), then each seed service not built yet."""
    if not (root / "tests").is_dir():
        raise ValueError(
            f"{root} has no tests/ directory: run from the repository root or pass --root"
        )
    routes = route_counts()
    seed_by_name = {s.name: s for s in SEED}
    cases = read_junit(junit) if junit is not None else None
    rows = [Row(GATEWAY, 1, True)] + [Row(e.name, e.phase, True) for e in catalogue.CATALOGUE]
    for row in rows:
        seed = seed_by_name.get(row.name)
        if seed is not None:
            row.seed_name, row.seed_readiness = seed.seed_name, seed.readiness
        row.routes = routes.get(row.name, 0)
        row.tests = test_files(root, row.name)
        if cases is not None:
            row.results = cases.count_for(f for files in row.tests.values() for f in files)
    built = {row.name for row in rows}
    rows += [
        Row(s.name, s.phase, False, s.seed_name, s.readiness) for s in SEED if s.name not in built
    ]
    return rows
