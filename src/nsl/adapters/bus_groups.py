"""Consumer groups shared by the buses: a consumer name is one queue, and each event goes to
exactly one handler (in any process) registered under that name whose pattern matches.
"""

from __future__ import annotations

import asyncio
import logging

from nsl.adapters.topics import topic_matches
from nsl.core.metrics import Metrics
from nsl.core.ports import Event, EventHandler

log = logging.getLogger(__name__)


class ConsumerGroup:
    """The handlers this process registered under one consumer name."""

    def __init__(self, name: str, metrics: Metrics) -> None:
        self.name = name
        self.bindings: list[tuple[str, EventHandler]] = []
        self.lock = asyncio.Lock()  # handlers of one group run one at a time, in delivery order
        self._metrics = metrics
        self._turn = 0

    def bind(self, pattern: str, handler: EventHandler) -> None:
        self.bindings.append((pattern, handler))

    def accepts(self, topic: str) -> bool:
        return any(topic_matches(pattern, topic) for pattern, _ in self.bindings)

    async def handle(self, event: Event) -> bool:
        """Run one matching handler (round-robin); whether it succeeded. Failures are logged."""
        handlers = [h for p, h in self.bindings if topic_matches(p, event.topic)]
        if not handlers:
            log.error("consumer %s has no handler for topic %s here", self.name, event.topic)
            self._count(event, "error")
            return False
        handler = handlers[self._turn % len(handlers)]
        self._turn += 1
        try:
            await handler(event)
        except Exception:  # the bus redelivers; the trace goes to the log
            log.exception("consumer %s failed on event %s (%s)", self.name, event.id, event.topic)
            self._count(event, "error")
            return False
        self._count(event, "ok")
        return True

    def _count(self, event: Event, outcome: str) -> None:
        self._metrics.bus_consumed.labels(event.topic, self.name, outcome).inc()
