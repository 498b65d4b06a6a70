"""Read a pytest JUnit XML file (``pytest --junitxml``) into outcomes per test file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def summary(self) -> str:
        if not (self.passed or self.failed or self.skipped):
            return "not in the run"
        parts = [f"{self.passed} passed", f"{self.failed} failed"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, int]:
        return {"passed": self.passed, "failed": self.failed, "skipped": self.skipped}


@dataclass(frozen=True)
class Case:
    module: str  # dotted, as pytest writes ``classname`` (``tests.unit.keys.test_x[.Class]``)
    file: str  # the ``file`` attribute when the report has one, else ""
    outcome: str  # passed | failed | skipped


class JunitCases:
    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases

    def count_for(self, files: Iterable[str]) -> Counts:
        """Outcomes of the cases from these repository-relative test files."""
        paths = set(files)
        modules = {p.removesuffix(".py").replace("/", ".") for p in paths}
        tally = {"passed": 0, "failed": 0, "skipped": 0}
        for case in self.cases:
            if case.file in paths or any(
                case.module == m or case.module.startswith(m + ".") for m in modules
            ):
                tally[case.outcome] += 1
        return Counts(**tally)


def read_junit(path: Path) -> JunitCases:
    """Every ``testcase`` of the file; ValueError when it is missing or not JUnit XML."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - a report our own pytest run wrote
    except (OSError, ET.ParseError) as exc:
        raise ValueError(f"cannot read JUnit XML {path}: {exc}") from exc
    if root.tag not in ("testsuites", "testsuite"):
        raise ValueError(f"{path} is not JUnit XML (root element <{root.tag}>)")
    cases = []
    for case in root.iter("testcase"):
        children = {child.tag for child in case}
        if children & {"failure", "error"}:
            outcome = "failed"
        elif "skipped" in children:
            outcome = "skipped"
        else:
            outcome = "passed"
        cases.append(Case(case.get("classname", ""), case.get("file", ""), outcome))
    return JunitCases(cases)
