"""The Kubernetes manifests: valid for Kubernetes 1.30 (strict, offline), complete per catalogue
service, policies after the seed, a Secret template the production checks refuse."""

from __future__ import annotations

import functools
import json
from typing import Any

import kubernetes_validate
import pytest
import yaml

from nsl import __version__
from nsl.core.catalogue import CATALOGUE, Entry, with_needs
from nsl.core.production import production_problems
from nsl.core.settings import Settings
from nsl.ops.manifests.build import SECRET_TEMPLATE, build
from nsl.ops.manifests.env import SECRET_NAME, names_a_setting
from nsl.ops.manifests.spec import BACKUP_JOBS, NAMESPACE, SPECS, pool_for

KUBERNETES = "1.30.0"
PROCESSES = [e for e in CATALOGUE if not e.required]
built = functools.lru_cache(build)  # generation is deterministic; the pure-Python emitter is slow


@functools.lru_cache
def _parsed(text: str) -> tuple[dict[str, Any], ...]:
    return tuple(d for d in yaml.safe_load_all(text) if d)


def documents(files: dict[str, str]) -> list[dict[str, Any]]:
    """Every object (a deep copy: the parsed texts are cached)."""
    found = []
    for name, text in sorted(files.items()):
        if name.startswith("k8s/"):
            found += [json.loads(json.dumps(d)) for d in _parsed(text)]
    return found


def objects(kind: str, files: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    docs = documents(files if files is not None else built(__version__))
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_object_validates_strictly_against_kubernetes_1_30() -> None:
    files = built(__version__, backup_jobs=BACKUP_JOBS)  # CronJobs included, to check them too
    docs = documents(files)
    assert {d["kind"] for d in docs} >= {
        "Namespace",
        "ConfigMap",
        "Secret",
        "NetworkPolicy",
        "Job",
        "CronJob",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE
    # strict mode refuses what Kubernetes would ignore: the validation can fail
    deployment = json.loads(json.dumps(objects("Deployment", files)["nsl-gateway"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_each_catalogue_service_and_the_gateway_get_deployment_service_hpa_and_pdb() -> None:
    names = {"gateway", *(e.name for e in PROCESSES)}
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(objects(kind)) == {f"nsl-{n}" for n in names}, kind
    deployments = objects("Deployment")
    for name in names:
        spec = SPECS.get(name)
        deployment = deployments[f"nsl-{name}"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        expected = (
            ["nsl", "serve", "--gateway"]
            if name == "gateway"
            else ["nsl", "serve", "--only", ",".join(with_needs([name]))]
        )
        assert container["command"] == expected
        assert container["image"] == f"ghcr.io/neo-service-layer/nsl:{__version__}"
        if spec is not None:
            assert deployment["spec"]["replicas"] == spec.replicas
            assert container["resources"]["requests"] == {"cpu": spec.cpu, "memory": spec.memory}
        hpa = objects("HorizontalPodAutoscaler")[f"nsl-{name}"]["spec"]
        assert hpa["minReplicas"] == deployment["spec"]["replicas"] < hpa["maxReplicas"]


def test_the_seed_sizes_hold() -> None:
    deployments = objects("Deployment")

    def size(name: str) -> tuple[int, str, str]:
        spec = deployments[name]["spec"]
        requests = spec["template"]["spec"]["containers"][0]["resources"]["requests"]
        return spec["replicas"], requests["cpu"], requests["memory"]

    assert size("nsl-gateway") == (3, "500m", "1Gi")
    assert size("nsl-keys") == (2, "1000m", "2Gi")
    assert size("nsl-secrets") == (2, "250m", "512Mi")
    keys = deployments["nsl-keys"]["spec"]["template"]["spec"]
    claim = next(v for v in keys["volumes"] if "persistentVolumeClaim" in v)
    assert claim["persistentVolumeClaim"]["claimName"] in objects("PersistentVolumeClaim")
    assert size("nsl-storage") == (3, "250m", "512Mi")
    backup = deployments["nsl-backup"]["spec"]["template"]["spec"]
    mounted = {
        v["persistentVolumeClaim"]["claimName"]
        for v in backup["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert mounted == {"nsl-backups"}  # the claim the backup CronJobs write to
    assert list(objects("PersistentVolumeClaim")).count("nsl-backups") == 1


def test_config_map_routes_the_gateway_to_every_service_by_cluster_dns() -> None:
    data = objects("ConfigMap")["nsl-settings"]["data"]
    upstreams = json.loads(data["NSL_GATEWAY__UPSTREAMS"])
    assert upstreams == {e.name: f"http://nsl-{e.name}.{NAMESPACE}.svc:8080" for e in PROCESSES}
    for variable in data:
        assert names_a_setting(variable), variable
    assert set(objects("Service")) >= {f"nsl-{n}" for n in upstreams}


def test_database_pools_fit_the_seed_connections_at_full_autoscale() -> None:
    data = objects("ConfigMap")["nsl-settings"]["data"]
    ceiling = sum(h["spec"]["maxReplicas"] for h in objects("HorizontalPodAutoscaler").values())
    assert (ceiling + 1) * int(data["NSL_DATABASE__POOL_MAX"]) <= 300 - 10
    assert int(data["NSL_DATABASE__POOL_MIN"]) <= int(data["NSL_DATABASE__POOL_MAX"])
    with pytest.raises(ValueError):
        pool_for(200, 300)


def test_the_secret_template_is_refused_by_the_production_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = yaml.safe_load(built(__version__)[SECRET_TEMPLATE])
    assert template["metadata"]["name"] == SECRET_NAME
    assert "TEMPLATE" in template["metadata"]["annotations"]["nsl.io/template"]
    values = template["stringData"]
    assert {v for k, v in values.items() if k != "NSL_ENV"} == {""}
    for name, value in values.items():  # what a pod started from the template would read
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.env == "production"
    assert any("jwt_secret is not set" in p for p in production_problems(settings))
    # a directory apply (kubectl apply -f deploy/k8s/) never reaches the template
    assert "/" in SECRET_TEMPLATE.removeprefix("k8s/")


def test_deployments_read_settings_and_the_secret_the_operator_creates() -> None:
    for deployment in objects("Deployment").values():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["envFrom"] == [
            {"configMapRef": {"name": "nsl-settings"}},
            {"secretRef": {"name": SECRET_NAME}},
        ]


def test_network_policies_follow_the_seed() -> None:
    policies = objects("NetworkPolicy")
    deny = policies["nsl-default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    egress_ports: set[int] = set()
    for policy in policies.values():
        for rule in policy["spec"].get("egress", []):
            egress_ports |= {p["port"] for p in rule["ports"]}
    assert egress_ports == {53, 443, 5432, 6379, 5672, 8080}
    data = policies["nsl-egress-data"]["spec"]["egress"][0]
    assert data["to"] == [{"namespaceSelector": {}}]  # in-cluster only, never the internet
    into_gateway = policies["nsl-gateway-ingress"]["spec"]
    assert into_gateway["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "nsl-gateway"}}
    into_services = policies["nsl-services-from-gateway"]["spec"]
    selected = into_services["podSelector"]["matchExpressions"][0]["values"]
    assert set(selected) == {e.name for e in PROCESSES}
    assert into_services["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "nsl-gateway"}}}
    ]
    gateway_out = policies["nsl-gateway-to-services"]["spec"]["egress"][0]
    assert gateway_out["ports"] == [{"protocol": "TCP", "port": 8080}]


def test_ingress_terminates_tls_in_front_of_the_gateway() -> None:
    spec = objects("Ingress")["nsl-gateway"]["spec"]
    assert spec["tls"] == [{"secretName": "nsl-gateway-tls"}]
    backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "nsl-gateway", "port": {"name": "http"}}
    with_domain = objects("Ingress", built(__version__, domain="example.org"))["nsl-gateway"]
    assert with_domain["spec"]["rules"][0]["host"] == "api.example.org"
    assert with_domain["spec"]["tls"][0]["hosts"] == ["api.example.org"]


def test_backup_cronjobs_exist_only_for_offered_commands_with_the_seed_schedule() -> None:
    assert not objects("CronJob")  # nsl backup is not offered: nothing calls it
    crons = objects("CronJob", built(__version__, backup_jobs=BACKUP_JOBS))
    assert {n: c["spec"]["schedule"] for n, c in crons.items()} == {
        "nsl-backup-full": "0 2 * * *",
        "nsl-backup-incremental": "0 */4 * * *",
    }
    for cron in crons.values():
        assert cron["spec"]["timeZone"] == "Etc/UTC"
        container = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
        assert container["command"][:2] == ["nsl", "backup"]


def test_a_new_catalogue_entry_gets_its_objects_and_its_route() -> None:
    extra = Entry("weather", 4, "tests:Nothing", "a service that is not real")
    files = built(__version__, (*CATALOGUE, extra))
    assert "k8s/50-nsl-weather.yaml" in files
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert "nsl-weather" in objects(kind, files)
    deployment = objects("Deployment", files)["nsl-weather"]
    assert deployment["metadata"]["labels"]["nsl.io/phase"] == "4"
    assert deployment["spec"]["replicas"] == 2  # the default size
    data = objects("ConfigMap", files)["nsl-settings"]["data"]
    assert "weather" in json.loads(data["NSL_GATEWAY__UPSTREAMS"])
    selected = objects("NetworkPolicy", files)["nsl-services-from-gateway"]["spec"]
    assert "weather" in selected["podSelector"]["matchExpressions"][0]["values"]
    assert "nsl-weather" not in objects("Deployment")  # the real catalogue is untouched
