"""The catalogue selects services by phase, toggle and name, and loads their classes."""

from __future__ import annotations

import pytest

from nsl.core import catalogue
from nsl.core.errors import ValidationFailed
from nsl.core.service import ServiceBase
from nsl.core.settings import ServiceToggle, Settings


def names(entries: list[catalogue.Entry]) -> list[str]:
    return [e.name for e in entries]


def test_default_selects_every_registered_service() -> None:
    assert names(catalogue.select(Settings())) == [e.name for e in catalogue.CATALOGUE]


def test_disabled_service_is_left_out_but_required_ones_stay() -> None:
    settings = Settings(
        services={
            "configuration": ServiceToggle(enabled=False),
            "auth": ServiceToggle(enabled=False),
        }
    )
    selected = names(catalogue.select(settings))
    assert "auth" in selected and "configuration" not in selected
    assert selected == [e.name for e in catalogue.CATALOGUE if e.name != "configuration"]


def test_only_names_plus_required() -> None:
    assert names(catalogue.select(Settings(), only=["configuration"])) == ["auth", "configuration"]


def test_unknown_service_is_a_clear_error() -> None:
    with pytest.raises(ValidationFailed, match="unknown service 'oracle-x'"):
        catalogue.select(Settings(), only=["oracle-x"])


def test_every_entry_loads_a_service_class() -> None:
    for item in catalogue.CATALOGUE:
        cls = catalogue.load(item)
        assert issubclass(cls, ServiceBase)
        assert cls.name == item.name
        assert cls.phase == item.phase


def test_only_brings_what_a_service_calls_in_process() -> None:
    chosen = names(catalogue.select(Settings(), only=["randomness"]))
    assert set(chosen) == {"auth", "randomness", "contracts", "keys"}
