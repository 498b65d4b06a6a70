"""Test harness for the events service on the real dev chains: a gateway (runtime with a
manual clock) spoken to in-process, a local webhook receiver, and an emitter that deploys the
probe contracts of ``tests/fixtures`` and makes them emit events, signing with its own
software enclave (a dApp of its own, independent of the service under test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import text
from tests.chain_helpers import EnclaveSigner
from tests.polling import eventually

from nsl.chains.registry import ChainRegistry
from nsl.core.chain import NEO_N3, Chain, ContractCall, Deployment, TxOutcome
from nsl.core.clock import ManualClock, SystemClock
from nsl.core.enclave import KeyType
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings, Settings
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.enclave.software import SoftwareEnclave
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.events.service import EventsService

ADMIN_KEY = "nsl_test_admin_" + "e" * 40
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
N3_NEF = (FIXTURES / "neo_n3" / "probe.nef").read_bytes()
N3_MANIFEST: dict[str, Any] = json.loads((FIXTURES / "neo_n3" / "probe.manifest.json").read_text())
NX_PROBE: dict[str, Any] = json.loads((FIXTURES / "neo_x" / "Probe.json").read_text())
NX_ABI: list[dict[str, Any]] = NX_PROBE["abi"]
GAS, ETHER = 10**8, 10**18
QUIET = 3600.0  # periodic tasks run once at start; the tests drive them with run_task_once
EVENTS = {
    "poll_interval_s": QUIET,
    "delivery_interval_s": QUIET,
    "backoff_base_s": 2.0,
    "backoff_cap_s": 30.0,
    "max_attempts": 3,
    "webhook_timeout_s": 5.0,
}


def make_settings(tmp_path: Path, overrides: dict[str, Any], **events: Any) -> Settings:
    """``overrides``: ``chains`` (and ``database``) as the ``chains`` fixture gives them."""
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        events={**EVENTS, **events},
        **overrides,
    )


class Api:
    """A started gateway running the events service (and auth), on a manual clock."""

    def __init__(self, settings: Settings, clock: ManualClock) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = Runtime(settings, clock=clock, only=["events"])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test"
        )

    @property
    def service(self) -> EventsService:
        service: EventsService = self.runtime.services["events"]
        return service

    async def __aenter__(self) -> Api:
        await self.runtime.start()
        await eventually(self._settled, within=30)
        return self

    async def _settled(self) -> bool:
        """Every periodic task ran its first round (started with the service), so the test
        alone drives what happens next."""
        health = await self.service.health()
        return not any(".task." in c.name and c.detail == "starting" for c in health.checks)

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(
            name, "user", roles or ["developer"], "Correct-Horse-42!"
        )
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def subscribe(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        created = await self.http.post("/api/v1/events/subscriptions", json=body, headers=headers)
        assert created.status_code == 201, created.text
        answer: dict[str, Any] = created.json()
        return answer

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> Any:
        response = await self.http.get(f"/api/v1/events{path}", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def poll(self, chain: str) -> None:
        await self.service.run_task_once(f"poll-{chain}")

    async def deliver(self) -> None:
        await self.service.run_task_once("deliver")

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.runtime.adapters.database.session() as session:
            result = await session.execute(text(sql), params)
            return [dict(r._mapping) for r in result]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1: records every request, answers ``statuses`` in turn
    (then 200)."""

    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(Received(dict(request.headers), await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 300 else "nope")

    def event_ids(self, kind: str = "event") -> list[str]:
        return [r.headers["X-NSL-Event-Id"] for r in self.requests if r.json["type"] == kind]


class Emitter:
    """A funded account on one dev chain that deploys the probe contract and emits events."""

    def __init__(self, tmp_path: Path, overrides: dict[str, Any], chain: str) -> None:
        self.chain_name = chain
        self.dir = tmp_path / f"emitter-{chain}"
        self.settings = Settings(env="test", data_dir=self.dir, chains=overrides["chains"])
        self.metrics = Metrics("test", "test")
        self.clock = SystemClock()
        self.database: Database | None = None
        self.enclave: SoftwareEnclave | None = None
        self.registry: ChainRegistry | None = None
        self.signer: EnclaveSigner | None = None
        self.contract = ""

    async def open(self, funder: Any) -> Emitter:
        self.dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{self.dir / 'emitter.db'}"
        await upgrade(url)
        self.database = Database(url, DatabaseSettings(pool_min=1, pool_max=2), self.metrics)
        self.enclave = SoftwareEnclave(self.settings, self.database, self.clock)
        await self.enclave.start()
        key_type = KeyType.SECP256R1 if self.chain_name == NEO_N3 else KeyType.SECP256K1
        info = await self.enclave.generate_key(key_type, purpose="events-test")
        self.signer = EnclaveSigner(self.enclave, info)
        await self.reconnect()
        address = self.chain.address_of(info.public_key)
        await funder.fund(
            self.chain_name, address, 100 * GAS if key_type == KeyType.SECP256R1 else 10 * ETHER
        )
        return self

    async def reconnect(self) -> None:
        """A fresh chain client (after an ``evm_revert`` its remembered nonces are stale)."""
        if self.registry is not None:
            await self.registry.close()
        self.registry = ChainRegistry(self.settings, self.metrics, self.clock)
        await self.registry.start()

    @property
    def chain(self) -> Chain:
        assert self.registry is not None
        return self.registry.get(self.chain_name)

    async def close(self) -> None:
        if self.registry is not None:
            await self.registry.close()
        if self.enclave is not None:
            await self.enclave.close()
        if self.database is not None:
            await self.database.dispose()

    async def deploy(self) -> str:
        assert self.signer is not None
        if self.chain_name == NEO_N3:
            deployment = Deployment(code=N3_NEF, manifest=N3_MANIFEST)
        else:
            code = bytes.fromhex(NX_PROBE["bytecode"].removeprefix("0x"))
            deployment = Deployment(code=code, abi=NX_ABI, args=["events probe"])
        outcome = await self.chain.deploy(deployment, self.signer, timeout_s=60)
        assert outcome.state == "HALT" and outcome.contract, outcome
        self.contract = outcome.contract
        return self.contract

    async def store(self, key: int | str, amount: int, note: str = "n") -> TxOutcome:
        """Neo X ``store(key, amount, note)`` / Neo N3 ``put(key, value)``: one Stored event."""
        assert self.signer is not None
        if self.chain_name == NEO_N3:
            call = ContractCall(self.contract, "put", [str(key), amount])
        else:
            call = ContractCall(self.contract, "store", [key, amount, note], abi=NX_ABI)
        outcome = await self.chain.invoke(call, self.signer, timeout_s=60)
        assert outcome.state == "HALT", outcome
        return outcome


def stored_ids(outcome: TxOutcome) -> Iterator[str]:
    """The event ids of the Stored events a transaction emitted."""
    return (e.event_id for e in outcome.events if e.name == "Stored")
