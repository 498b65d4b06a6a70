"""How an alert is specified: its rules (one per severity tier), annotations, and the sample
series that make it fire and not fire, from which its promtool unit test is written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RUNBOOK = "docs/operations-monitoring.md"
_LABEL_REF = re.compile(r"\{\{ \$labels\.(\w+) \}\}")


@dataclass(frozen=True)
class Rule:
    """One alerting rule; tiers of one alert share its name and differ in severity."""

    expr: str
    severity: str
    summary: str
    description: str
    for_: str = ""


@dataclass(frozen=True)
class Case:
    """Sample series (promtool's expanding notation) and the alerts expected at ``at``:
    each a label set including ``severity``; none means the alert must stay quiet."""

    name: str
    series: Mapping[str, str]
    at: str
    fires: tuple[Mapping[str, str], ...] = ()
    interval: str = "15s"


@dataclass(frozen=True)
class Alert:
    name: str
    rules: tuple[Rule, ...]
    cases: tuple[Case, ...]

    @property
    def runbook_url(self) -> str:
        return f"{RUNBOOK}#{self.name.lower()}"


@dataclass(frozen=True)
class Group:
    """A rule group; ``test_interval`` is how often its promtool tests evaluate the rules
    (coarser for alerts whose cases span days)."""

    name: str
    alerts: tuple[Alert, ...]
    test_interval: str = "15s"


@dataclass(frozen=True)
class Record:
    """One recording rule."""

    record: str
    expr: str


@dataclass(frozen=True)
class RecordingGroup:
    name: str
    records: tuple[Record, ...] = field(default=())


def render_template(template: str, labels: Mapping[str, str]) -> str:
    """Annotations use only ``{{ $labels.NAME }}``, so their expected text is computable."""
    rendered = _LABEL_REF.sub(lambda m: labels.get(m.group(1), ""), template)
    if "{{" in rendered:
        raise ValueError(f"annotation uses more than $labels: {template!r}")
    return rendered


def annotations_of(alert: Alert, rule: Rule) -> dict[str, str]:
    return {
        "summary": rule.summary,
        "description": rule.description,
        "runbook_url": alert.runbook_url,
    }


def alert_rules(group: Group) -> dict[str, Any]:
    """The group as Prometheus rule-file YAML data."""
    rules = []
    for alert in group.alerts:
        for rule in alert.rules:
            item: dict[str, Any] = {"alert": alert.name, "expr": rule.expr}
            if rule.for_:
                item["for"] = rule.for_
            item["labels"] = {"severity": rule.severity}
            item["annotations"] = annotations_of(alert, rule)
            rules.append(item)
    return {"name": group.name, "rules": rules}


def recording_rules(group: RecordingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "rules": [{"record": r.record, "expr": r.expr} for r in group.records],
    }


def series(metric: str, labels: Mapping[str, str]) -> str:
    """A sample series name for a case: ``metric{a="b",...}``."""
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{metric}{{{inner}}}"
