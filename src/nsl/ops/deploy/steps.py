"""One line of a deploy plan or report, and the error that ends a deploy with its report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nsl.ops.report import Outcome, Result


@dataclass
class Step:
    action: str  # start | keep | route | check | stop | switch | rollback
    target: str
    detail: str
    outcome: str = "planned"  # planned | done | failed | skipped

    def as_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "outcome": self.outcome,
        }


@dataclass
class Report:
    """What a deploy command did, in order; ``ok`` is false once a step failed."""

    steps: list[Step] = field(default_factory=list)

    def add(self, action: str, target: str, detail: str, outcome: str = "done") -> Step:
        step = Step(action, target, detail, outcome)
        self.steps.append(step)
        return step

    def checks(self, phase_target: str, results: list[Result]) -> bool:
        for result in results:
            outcome = {
                Outcome.PASSED: "done",
                Outcome.FAILED: "failed",
                Outcome.SKIPPED: "skipped",
            }[result.outcome]
            self.add("check", f"{phase_target}:{result.name}", result.detail, outcome)
        return all(r.outcome is not Outcome.FAILED for r in results)

    @property
    def ok(self) -> bool:
        return all(s.outcome != "failed" for s in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "steps": [s.as_dict() for s in self.steps]}


class DeployFailed(Exception):
    """A deploy stopped; its report says where and what was undone."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report
