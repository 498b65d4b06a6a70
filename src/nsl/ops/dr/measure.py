"""Turn what was acknowledged before the failure and what is present after it into RPO figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Acknowledged(Protocol):
    @property
    def acked_at(self) -> float: ...


def loss(
    acked: Sequence[Acknowledged], present: Sequence[bool], failure_at: float
) -> dict[str, float | int]:
    """RPO: age at failure time of the oldest acknowledged item missing afterwards (0: none)."""
    lost = [item.acked_at for item, here in zip(acked, present, strict=True) if not here]
    rpo = max(0.0, failure_at - min(lost)) if lost else 0.0
    return {"acknowledged": len(acked), "lost": len(lost), "rpo_s": rpo}


def lost_before(acked: Sequence[Acknowledged], present: Sequence[bool], point: float) -> int:
    """How many items acknowledged before ``point`` (the last backup point) are missing."""
    return sum(
        1 for item, here in zip(acked, present, strict=True) if item.acked_at <= point and not here
    )
