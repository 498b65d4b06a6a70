"""The seed's recovery targets (RTO/RPO in seconds) and how a measured figure is judged."""

from __future__ import annotations

from dataclasses import dataclass

TARGETS: dict[str, dict[str, float]] = {
    "database": {"rto_s": 3600.0, "rpo_s": 900.0},
    "services": {"rto_s": 1800.0},
    "whole_system": {"rto_s": 14400.0},
    "keys": {"rpo_s": 3600.0},
    "configuration": {"rpo_s": 0.0},
}


@dataclass(frozen=True)
class Measured:
    """One figure of one category, e.g. (``database``, ``rpo_s``, 2.4)."""

    category: str
    figure: str
    value: float | None  # None: could not be measured (counts as a miss)

    @property
    def target(self) -> float:
        return TARGETS[self.category][self.figure]

    @property
    def passed(self) -> bool:
        return self.value is not None and self.value <= self.target

    def as_dict(self) -> dict[str, object]:
        value = None if self.value is None else round(self.value, 3)
        return {self.figure: value, f"target_{self.figure}": self.target, "pass": self.passed}


def judge(figures: list[Measured]) -> dict[str, dict[str, object]]:
    """``{category: {rto_s, target_rto_s, rpo_s, target_rpo_s, pass}}``."""
    out: dict[str, dict[str, object]] = {}
    for figure in figures:
        entry = out.setdefault(figure.category, {"pass": True})
        passed = bool(entry["pass"]) and figure.passed
        entry.update(figure.as_dict())
        entry["pass"] = passed
    return out
