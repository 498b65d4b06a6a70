"""The service's contract: identity, no I/O at construction, the enclave opened at start."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from tests.contexts import embedded_context

from nsl.adapters.cache_memory import MemoryCache
from nsl.core.clock import ManualClock
from nsl.core.context import ServiceContext
from nsl.core.health import Status
from nsl.core.metrics import Metrics
from nsl.core.service import Service
from nsl.core.settings import DatabaseSettings, Settings
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.enclave.keyring import KEYRING_FILE
from nsl.services.configuration.hotpath import EntryReadRoute
from nsl.services.configuration.service import ConfigurationService


def context(tmp_path: Path) -> ServiceContext:
    clock, metrics = ManualClock(), Metrics("test", "test")
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'never.db'}", DatabaseSettings(), metrics)
    settings = Settings(env="test", data_dir=tmp_path / "data")
    return embedded_context(
        settings, database, clock, metrics, MemoryCache(10, 30.0, clock, metrics)
    )


async def test_identity_and_catalogue_contract(tmp_path: Path) -> None:
    service = ConfigurationService(context(tmp_path))
    assert isinstance(service, Service)
    assert (service.name, service.phase, service.depends_on) == ("configuration", 1, ("auth",))
    paths = {route.path for route in service.routes().routes}  # type: ignore[attr-defined]
    assert "/api/v1/configuration/{key:path}/history" in paths


async def test_construction_does_no_io_and_start_opens_the_enclave(tmp_path: Path) -> None:
    service = ConfigurationService(context(tmp_path))
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "never.db").exists()
    assert (await service.health()).status is Status.DOWN
    await upgrade(service.ctx.database.url)  # type: ignore[attr-defined]
    await service.start()
    assert (tmp_path / "data" / KEYRING_FILE).exists()
    assert (await service.health()).status is Status.OK
    await service.stop()
    await service.ctx.database.dispose()  # type: ignore[attr-defined]


def test_route_order_keeps_fixed_paths_reachable(tmp_path: Path) -> None:
    router = ConfigurationService(context(tmp_path)).routes()
    routes = router.routes
    order = [(sorted(r.methods)[0], r.path) for r in routes]  # type: ignore[attr-defined]
    assert isinstance(routes[0], EntryReadRoute)  # the hot read first; it declines fixed paths
    generic_put = order.index(("PUT", "/api/v1/configuration/{key:path}"))
    for fixed in [("GET", "/export"), ("PUT", "/schemas"), ("GET", "/{key:path}/history")]:
        assert order.index((fixed[0], "/api/v1/configuration" + fixed[1])) < generic_put


def test_the_hot_read_is_documented_with_its_parameters(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(ConfigurationService(context(tmp_path)).routes())
    operation = app.openapi()["paths"]["/api/v1/configuration/{key}"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"key", "environment", "reveal"}
