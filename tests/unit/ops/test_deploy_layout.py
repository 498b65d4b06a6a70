"""Process groups of ``nsl deploy``: from the catalogue and settings, on stable ports."""

from __future__ import annotations

import pytest

from nsl.core import catalogue
from nsl.core.errors import ValidationFailed
from nsl.core.settings import Settings
from nsl.ops.deploy.layout import group_of, groups, groups_up_to


def test_one_process_per_service_by_default_in_phase_order_with_two_ports_each() -> None:
    found = groups(Settings(deploy={"base_port": 9000}))
    names = [g.name for g in found]
    expected = [e.name for e in catalogue.CATALOGUE if not e.required]
    assert sorted(names) == sorted(expected)
    assert [g.phase for g in found] == sorted(g.phase for g in found)
    ports = [p for g in found for p in (g.blue_port, g.green_port)]
    assert len(set(ports)) == len(ports) and min(ports) == 9000


def test_a_process_runs_the_services_its_services_call_in_process() -> None:
    randomness = group_of(Settings(), "randomness")
    assert randomness.services == ("randomness",)
    assert set(randomness.runs) == {"randomness", "contracts", "keys"}
    assert catalogue.with_needs(["keys"]) == ["keys"]


def test_groups_share_a_process_and_start_with_their_earliest_phase() -> None:
    settings = Settings(deploy={"groups": {"crypto": ["keys", "events"]}})
    crypto = group_of(settings, "events")
    assert crypto.name == "crypto" and crypto.services == ("keys", "events")
    assert crypto.phase == 2
    assert "crypto" in [g.name for g in groups_up_to(settings, 2)]
    assert "crypto" not in [g.name for g in groups_up_to(settings, 1)]


def test_a_disabled_service_gets_no_process() -> None:
    settings = Settings(services={"events": {"enabled": False}})
    assert "events" not in [g.name for g in groups(settings)]


@pytest.mark.parametrize(
    ("groups_setting", "rule"),
    [
        ({"a": ["nope"]}, "known_service"),
        ({"a": ["keys"], "b": ["keys"]}, "one_group"),
    ],
)
def test_bad_groups_are_refused_naming_the_group_and_rule(
    groups_setting: dict[str, list[str]], rule: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        groups(Settings(deploy={"groups": groups_setting}))
    assert caught.value.fields[0].rule == rule
    assert caught.value.fields[0].field.startswith("deploy.groups.")


def test_auth_is_not_deployable_on_its_own() -> None:
    with pytest.raises(ValidationFailed):
        group_of(Settings(), "auth")
