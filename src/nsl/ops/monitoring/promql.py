"""The metric names a PromQL expression selects, and the check that each one exists.

Syntax is checked by promtool (the tests run every expression through it); this only needs to
find selector names, so it strips strings, label matchers, ranges and grouping clauses first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from nsl.ops.monitoring import inventory

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*")
KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan", "atan2"}
)
# Series Prometheus itself provides: the scrape health and the alerting state.
PROMETHEUS_SERIES = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE"})


def metric_names(expr: str) -> set[str]:
    """Names of the series ``expr`` selects (functions, keywords and numbers excluded)."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    names = set()
    for match in _IDENT.finditer(text):
        rest = text[match.end() :].lstrip()
        word = match.group()
        if rest.startswith("(") or word.lower() in KEYWORDS:
            continue
        names.add(word)
    return names


def unknown_metrics(exprs: Mapping[str, Iterable[str]], recorded: Iterable[str]) -> dict[str, str]:
    """Metric names used by ``exprs`` (where -> expressions) that nothing exports or records:
    name -> where it is used. Empty means every reference resolves."""
    known = inventory.series_names() | PROMETHEUS_SERIES | set(recorded)
    missing: dict[str, str] = {}
    for where, items in exprs.items():
        for expr in items:
            for name in sorted(metric_names(expr) - known):
                missing.setdefault(name, where)
    return missing
