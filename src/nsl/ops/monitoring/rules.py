"""Every rule file and promtool test file, for the services in the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nsl.ops.monitoring import recording
from nsl.ops.monitoring.rules_http import AVAILABILITY, HTTP, TLS
from nsl.ops.monitoring.rules_platform import CHAINS, OUTBOX_GROUP, TASKS
from nsl.ops.monitoring.rules_services import SERVICE_GROUPS
from nsl.ops.monitoring.rulespec import Group, alert_rules, recording_rules
from nsl.ops.monitoring.ruletests import promtool_tests
from nsl.ops.monitoring.scrape import RULE_FILES

PLATFORM_GROUPS = (AVAILABILITY, HTTP, TLS, OUTBOX_GROUP, CHAINS, TASKS)


def alert_groups(services: Iterable[str]) -> list[Group]:
    """The platform's groups, then the group of each named service that has one."""
    return [*PLATFORM_GROUPS, *(SERVICE_GROUPS[n] for n in services if n in SERVICE_GROUPS)]


def tests_path(group: Group) -> str:
    return f"tests/{group.name.removeprefix('nsl-')}.yml"


def rule_files(groups: list[Group]) -> dict[str, dict[str, Any]]:
    """Paths (relative to the Prometheus directory) to YAML data: recording rules, alert rules
    (a separate file, as the seed asks) and one promtool test file per alert group."""
    recording_file, alerts_file = RULE_FILES
    files: dict[str, dict[str, Any]] = {
        recording_file: {"groups": [recording_rules(g) for g in recording.GROUPS]},
        alerts_file: {"groups": [alert_rules(g) for g in groups]},
    }
    from_tests = [f"../{path}" for path in RULE_FILES]
    for group in groups:
        files[tests_path(group)] = promtool_tests(group, from_tests)
    return files
