"""A drill's step log: each step's name, start (seconds since the drill began) and duration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StepLog:
    started: float = field(default_factory=time.monotonic)
    steps: list[dict[str, object]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str, **details: object) -> Iterator[dict[str, object]]:
        """Time a step; the yielded dict collects details; a failure is recorded, then raised."""
        begin = time.monotonic()
        entry: dict[str, object] = {"step": name, "at_s": round(begin - self.started, 3)}
        entry.update(details)
        self.steps.append(entry)
        try:
            yield entry
        except BaseException as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
            raise
        finally:
            entry["duration_s"] = round(time.monotonic() - begin, 3)
