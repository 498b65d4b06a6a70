"""The compose files: the Compose Specification schema, the catalogue, and how files combine."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from nsl import __version__
from nsl.core.catalogue import CATALOGUE, PHASE_NAMES, Entry, with_needs
from nsl.ops.manifests.build import build
from nsl.ops.manifests.env import ENV_FILE, SECRET_VARIABLES, names_a_setting
from nsl.ops.manifests.spec import PORT

SCHEMA = Path(__file__).parent / "compose_spec" / "compose-spec.json"
PROCESSES = [e for e in CATALOGUE if not e.required]


@functools.lru_cache
def _files(catalogue: tuple[Entry, ...]) -> dict[str, str]:
    return build(__version__, catalogue)


def compose_docs(catalogue: tuple[Entry, ...] = CATALOGUE) -> dict[str, dict[str, Any]]:
    files = _files(catalogue)
    return {
        name.removeprefix("compose/"): yaml.safe_load(text)
        for name, text in files.items()
        if name.startswith("compose/")
    }


def merged(docs: dict[str, dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """``docker compose -f A -f B``: mappings merge key by key, a later file winning; lists
    of a service (command, ports) are replaced except those compose appends (not used here)."""
    result: dict[str, Any] = {}

    def merge(into: dict[str, Any], other: dict[str, Any]) -> None:
        for key, value in other.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = json.loads(json.dumps(value))

    for name in names:
        merge(result, docs[name])
    return result


def up_to(phase: int, docs: dict[str, dict[str, Any]]) -> list[str]:
    return ["infra.yml", *(f"phase{p}.yml" for p in range(1, phase + 1) if f"phase{p}.yml" in docs)]


def test_every_file_and_every_combination_is_valid_against_the_compose_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    docs = compose_docs()
    for name, doc in docs.items():
        assert not [e.message for e in validator.iter_errors(doc)], name
    for phase in PHASE_NAMES:
        assert not list(validator.iter_errors(merged(docs, up_to(phase, docs))))
    # the schema is strict enough to fail: a misspelt key is refused
    assert list(validator.iter_errors({"services": {"x": {"imag": "nsl"}}}))


def test_each_catalogue_service_is_in_exactly_its_phase_file_as_its_own_process() -> None:
    docs = compose_docs()
    for entry in PROCESSES:
        holders = [n for n, d in docs.items() if f"nsl-{entry.name}" in d.get("services", {})]
        assert holders == [f"phase{entry.phase}.yml"], entry.name
        service = docs[f"phase{entry.phase}.yml"]["services"][f"nsl-{entry.name}"]
        runs = ",".join(with_needs([entry.name]))  # and what it calls in-process
        assert service["command"] == ["nsl", "serve", "--only", runs]
        assert service["env_file"] == [ENV_FILE]
        assert service["expose"] == [str(PORT)]
        assert "/health/ready" in " ".join(service["healthcheck"]["test"])
    required = [e.name for e in CATALOGUE if e.required]
    for doc in docs.values():
        assert not any(f"nsl-{name}" in doc.get("services", {}) for name in required)


def test_the_gateway_routes_to_exactly_the_services_of_the_files_combined() -> None:
    docs = compose_docs()
    for phase in PHASE_NAMES:
        combined = merged(docs, up_to(phase, docs))
        gateway = combined["services"]["nsl-gateway"]
        assert gateway["command"] == ["nsl", "serve", "--gateway"]
        upstreams = json.loads(gateway["environment"]["NSL_GATEWAY__UPSTREAMS"])
        running = {
            n.removeprefix("nsl-")
            for n, s in combined["services"].items()
            if s.get("command", [])[:3] == ["nsl", "serve", "--only"]
        }
        assert set(upstreams) == running == {e.name for e in PROCESSES if e.phase <= phase}
        for name, url in upstreams.items():
            assert url == f"http://nsl-{name}:{PORT}"


def test_references_resolve_in_every_combination() -> None:
    docs = compose_docs()
    for phase in PHASE_NAMES:
        combined = merged(docs, up_to(phase, docs))
        services, volumes = combined["services"], combined.get("volumes", {})
        networks = set(combined.get("networks", {})) | {"default"}
        for name, service in services.items():
            assert "image" in service, name  # an override never stands alone
            assert set(service.get("depends_on", {})) <= set(services), name
            assert set(service.get("networks", [])) <= networks, name
            for mount in service.get("volumes", []):
                source = mount.split(":")[0]
                assert source.startswith((".", "/")) or source in volumes, (name, mount)


def test_secrets_are_never_written_into_the_compose_files() -> None:
    files = _files(CATALOGUE)
    text = "".join(t for n, t in files.items() if n.startswith("compose/"))
    for variable in SECRET_VARIABLES:
        # a secret reaches a container through env_file, or as $$VAR read by a shell at start
        assert not re.search(rf"\b{variable}\s*[:=]\s*\S", text), variable
    docs = compose_docs()
    for doc in docs.values():
        for service in doc["services"].values():
            assert not set(service.get("environment", {})) & set(SECRET_VARIABLES)


def test_every_nsl_variable_set_names_a_real_setting() -> None:
    for doc in compose_docs().values():
        for service in doc["services"].values():
            for variable in service.get("environment", {}):
                if variable.startswith("NSL_"):
                    assert names_a_setting(variable), variable
    assert not names_a_setting("NSL_HTTP__NO_SUCH_THING")


def test_infrastructure_follows_the_seed() -> None:
    infra = compose_docs()["infra.yml"]["services"]
    assert {
        "postgres",
        "redis",
        "rabbitmq",
        "prometheus",
        "grafana",
        "alertmanager",
        "jaeger",
    } <= set(infra)
    assert infra["postgres"]["image"] == "postgres:16"
    assert infra["rabbitmq"]["image"] == "rabbitmq:3.12-management"
    redis = infra["redis"]["command"][-1]
    for line in ("maxmemory 6gb", "maxmemory-policy allkeys-lru", "save 900 1", "save 300 10"):
        assert line in redis
    assert "save 60 10000" in redis
    assert "--storage.tsdb.retention.time=90d" in infra["prometheus"]["command"]
    assert {"4317", "4318"} <= set(infra["jaeger"]["expose"])
    for name in ("postgres", "redis", "rabbitmq"):  # the data tier publishes nothing
        assert all(p.startswith("127.0.0.1:") for p in infra[name].get("ports", []))
        assert "data" in infra[name]["networks"]
    assert compose_docs()["infra.yml"]["networks"]["data"] == {"internal": True}


def test_postgres_connections_cover_every_pool() -> None:
    docs = compose_docs()
    combined = merged(docs, up_to(max(PHASE_NAMES), docs))
    start = combined["services"]["postgres"]["command"][-1]
    max_connections = int(re.search(r"max_connections=(\d+)", start).group(1))  # type: ignore[union-attr]
    pools = [
        int(s["environment"]["NSL_DATABASE__POOL_MAX"])
        for s in combined["services"].values()
        if "NSL_DATABASE__POOL_MAX" in s.get("environment", {})
    ]
    assert len(pools) == len(PROCESSES) + 2  # the services, the gateway, the migration
    assert sum(pools) <= max_connections - 10


def test_a_new_catalogue_entry_gets_its_container_in_its_phase_file() -> None:
    extra = Entry("weather", 4, "tests:Nothing", "a service that is not real")
    docs = compose_docs((*CATALOGUE, extra))
    service = docs["phase4.yml"]["services"]["nsl-weather"]
    assert service["command"] == ["nsl", "serve", "--only", "weather"]
    upstreams = json.loads(
        docs["phase4.yml"]["services"]["nsl-gateway"]["environment"]["NSL_GATEWAY__UPSTREAMS"]
    )
    assert upstreams["weather"] == "http://nsl-weather:8080"
    assert "phase4.yml" not in compose_docs()  # without it, phase 4 has no service of its own


@pytest.mark.parametrize("name", ["gateway", "auth"])
def test_a_catalogue_that_reuses_a_reserved_or_repeated_name_is_refused(name: str) -> None:
    twice = CATALOGUE[0] if name == "auth" else Entry("gateway", 1, "x:Y", "clash")
    with pytest.raises(ValueError, match=name):
        build(__version__, (*CATALOGUE, twice))
