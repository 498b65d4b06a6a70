"""Usage counters kept in memory and written in batches (not one database write per use).

Counts are flushed by a periodic task and when the service stops; a crash loses at most one
flush interval of counts. A failed flush keeps its counts for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("sign", "verify", "encrypt", "decrypt")


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    last_used: datetime | None = None

    def add(self, other: Tally) -> None:
        for kind, n in other.counts.items():
            self.counts[kind] += n
        if other.last_used is not None and (
            self.last_used is None or other.last_used > self.last_used
        ):
            self.last_used = other.last_used


class UsageCounters:
    """Uses per key since the last flush."""

    def __init__(self) -> None:
        self._pending: dict[str, Tally] = {}

    def count(self, key_id: str, kind: str, at: datetime) -> None:
        tally = self._pending.get(key_id)
        if tally is None:
            tally = self._pending[key_id] = Tally()
        tally.counts[kind] += 1
        tally.last_used = at

    def pending(self, key_id: str) -> Tally | None:
        return self._pending.get(key_id)

    def drain(self) -> dict[str, Tally]:
        """Take every pending tally (new uses start a fresh batch)."""
        batch, self._pending = self._pending, {}
        return batch

    def put_back(self, batch: dict[str, Tally]) -> None:
        """Return a batch that could not be written, merged with what came since."""
        for key_id, tally in batch.items():
            mine = self._pending.get(key_id)
            if mine is None:
                self._pending[key_id] = tally
            else:
                mine.add(tally)
