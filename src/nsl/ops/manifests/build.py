"""Every manifest file as text, keyed by its path under the output directory (``deploy``)."""

from __future__ import annotations

from collections.abc import Iterable

from nsl.core.catalogue import CATALOGUE, Entry
from nsl.ops.manifests.compose import compose_files
from nsl.ops.manifests.env import process_env
from nsl.ops.manifests.k8s import process_objects
from nsl.ops.manifests.k8s_cluster import (
    backup_objects,
    config_map,
    ingress,
    migrate_job,
    namespace,
    secret_template,
)
from nsl.ops.manifests.k8s_network import network_policies
from nsl.ops.manifests.plan import Plan, plan
from nsl.ops.manifests.render import render, render_all
from nsl.ops.manifests.spec import NAMESPACE, SEED_MAX_CONNECTIONS, BackupJob, pool_for

COMPOSE_DIR = "compose"
K8S_DIR = "k8s"
SECRET_TEMPLATE = f"{K8S_DIR}/templates/secret.yaml"  # a subdirectory: `apply -f k8s/` skips it


def k8s_documents(p: Plan) -> dict[str, list[dict[str, object]]]:
    """File name -> documents for ``deploy/k8s``, named so a directory apply keeps the order."""
    # every replica the autoscalers may reach, plus the migration Job, holds a full pool
    pods = sum(process.spec.max_replicas for process in p.processes) + 1
    settings = process_env(pool_for(pods, SEED_MAX_CONNECTIONS))
    settings["NSL_RATE_LIMIT__TRUST_FORWARDED_FOR"] = "true"  # behind the Ingress and gateway
    dns = f"http://{{host}}.{NAMESPACE}.svc:{{port}}"
    settings["NSL_GATEWAY__UPSTREAMS"] = p.upstreams(max(p.phase_names), dns)
    files: dict[str, list[dict[str, object]]] = {
        "00-namespace.yaml": [namespace(p)],
        "01-config.yaml": [config_map(p, settings)],
        "02-network-policies.yaml": list(network_policies(p)),
        "03-migrate-job.yaml": [migrate_job(p)],
        f"10-{p.gateway.host}.yaml": process_objects(p, p.gateway),
    }
    for process in p.services:
        files[f"{10 + 10 * process.phase}-{process.host}.yaml"] = process_objects(p, process)
    files["80-ingress.yaml"] = [ingress(p)]
    backups = backup_objects(p)
    if backups:
        files["90-backups.yaml"] = backups
    return files


def build(
    version: str,
    catalogue: Iterable[Entry] = CATALOGUE,
    *,
    image: str | None = None,
    backup_jobs: Iterable[BackupJob] = (),
    domain: str | None = None,
) -> dict[str, str]:
    """Relative path -> file text, for ``catalogue`` (a test may pass its own)."""
    p = plan(version, catalogue, image_name=image, backup_jobs=backup_jobs, domain=domain)
    files = {
        f"{COMPOSE_DIR}/{name}": render(document) for name, document in compose_files(p).items()
    }
    for name, documents in k8s_documents(p).items():
        files[f"{K8S_DIR}/{name}"] = render_all(documents)
    files[SECRET_TEMPLATE] = render(secret_template(p))
    return files
