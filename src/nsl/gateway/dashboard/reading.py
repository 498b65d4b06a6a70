"""One reading of the metric families the dashboard graphs, taken from a Prometheus registry."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

REQUESTS = "nsl_http_requests"  # a counter's family name drops the ``_total`` suffix
LATENCY = "nsl_http_request_duration_seconds"
ORACLE_FEED_AGE = "nsl_oracle_feed_age_seconds"
AUTOMATION_LAG = "nsl_automation_lag_seconds"
GRAPHED = frozenset({REQUESTS, LATENCY, ORACLE_FEED_AGE, AUTOMATION_LAG})


@dataclass
class Reading:
    """Totals summed over label sets: requests, 5xx, latency buckets; domain families if present."""

    wall: float
    mono: float
    families: frozenset[str] = frozenset()
    requests: float = 0.0
    errors: float = 0.0
    latency: dict[float, float] = field(default_factory=dict)
    lag: dict[float, float] = field(default_factory=dict)
    feed_ages: list[float] = field(default_factory=list)


def read(registry: CollectorRegistry, wall: float, mono: float) -> Reading:
    """Collect the graphed families once; a family with no series yet still counts as present."""
    reading = Reading(wall=wall, mono=mono)
    present: set[str] = set()
    buckets: dict[str, defaultdict[float, float]] = {
        LATENCY: defaultdict(float),
        AUTOMATION_LAG: defaultdict(float),
    }
    for family in registry.collect():
        if family.name not in GRAPHED:
            continue
        present.add(family.name)
        for sample in family.samples:
            if family.name == REQUESTS and sample.name.endswith("_total"):
                reading.requests += sample.value
                if sample.labels.get("status", "").startswith("5"):
                    reading.errors += sample.value
            elif family.name in buckets and sample.name.endswith("_bucket"):
                bound = math.inf if sample.labels["le"] == "+Inf" else float(sample.labels["le"])
                buckets[family.name][bound] += sample.value
            elif family.name == ORACLE_FEED_AGE:
                reading.feed_ages.append(sample.value)
    reading.families = frozenset(present)
    reading.latency = dict(buckets[LATENCY])
    reading.lag = dict(buckets[AUTOMATION_LAG])
    return reading
