"""Alertmanager routing: critical alerts page, warnings go to the team, and a critical alert
mutes the warning tier of the same alert about the same subject."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nsl.ops.monitoring.rulespec import Group

PAGER = "pager"
TEAM = "team"
# Where alerts are posted unless the operator regenerates with their own receivers: a relay
# (chat, pager, e-mail bridge) listening next to Alertmanager. Not the gateway: alerting must
# not depend on the system it watches.
DEFAULT_WEBHOOK = "http://127.0.0.1:9095/"


def inhibit_equal(groups: Iterable[Group]) -> list[str]:
    """Labels a critical alert and its warning tier must share for the warning to be muted:
    the alert name and every label that names the subject of a critical tier (instance, chain,
    file, ...). A label absent from both alerts counts as equal."""
    names = {"alertname"}
    for group in groups:
        for alert in group.alerts:
            if {r.severity for r in alert.rules} >= {"critical", "warning"}:
                for case in alert.cases:
                    for fired in case.fires:
                        if fired.get("severity") == "critical":
                            names.update(k for k in fired if k != "severity")
    return sorted(names)


@dataclass(frozen=True)
class Receivers:
    """Webhook URLs alerts are posted to (they may hold tokens: never printed)."""

    pager: str = DEFAULT_WEBHOOK + PAGER
    team: str = DEFAULT_WEBHOOK + TEAM

    def __post_init__(self) -> None:
        for name in ("pager", "team"):
            url = urlsplit(getattr(self, name))
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError(f"{name} webhook: expected an http(s) URL with a host")


def config(groups: Iterable[Group], receivers: Receivers | None = None) -> dict[str, Any]:
    urls = receivers or Receivers()
    return {
        "route": {
            "receiver": TEAM,
            "group_by": ["alertname", "job", "component"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [
                {"receiver": PAGER, "matchers": ['severity="critical"'], "repeat_interval": "1h"},
                {"receiver": TEAM, "matchers": ['severity="warning"']},
            ],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": inhibit_equal(groups),
            }
        ],
        "receivers": [
            {"name": PAGER, "webhook_configs": [{"url": urls.pager, "send_resolved": True}]},
            {"name": TEAM, "webhook_configs": [{"url": urls.team, "send_resolved": True}]},
        ],
    }
