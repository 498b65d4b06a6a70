"""promtool unit tests (``promtool test rules``) written from each alert's sample cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nsl.ops.monitoring.rulespec import Alert, Case, Group, annotations_of, render_template


def expected(alert: Alert, labels: dict[str, str]) -> dict[str, Any]:
    """One expected alert: its labels and its annotations rendered for them."""
    rule = next((r for r in alert.rules if r.severity == labels.get("severity")), None)
    if rule is None:
        raise ValueError(f"{alert.name}: no rule of severity {labels.get('severity')!r}")
    notes = {k: render_template(v, labels) for k, v in annotations_of(alert, rule).items()}
    return {"exp_labels": labels, "exp_annotations": notes}


def _case(alert: Alert, case: Case) -> dict[str, Any]:
    return {
        "name": f"{alert.name}: {case.name}",
        "interval": case.interval,
        "input_series": [{"series": s, "values": v} for s, v in case.series.items()],
        "alert_rule_test": [
            {
                "eval_time": case.at,
                "alertname": alert.name,
                "exp_alerts": [expected(alert, dict(labels)) for labels in case.fires],
            }
        ],
    }


def promtool_tests(group: Group, rule_files: Sequence[str]) -> dict[str, Any]:
    """A promtool test file for every case of every alert in ``group``."""
    return {
        "rule_files": list(rule_files),
        "evaluation_interval": group.test_interval,
        "tests": [_case(alert, case) for alert in group.alerts for case in alert.cases],
    }
