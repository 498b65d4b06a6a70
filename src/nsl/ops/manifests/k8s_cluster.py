"""Namespace-wide Kubernetes objects: Namespace, ConfigMap, Secret template, Ingress, the
migration Job and (when the CLI offers them) backup CronJobs."""

from __future__ import annotations

from typing import Any

from nsl.ops.manifests.env import CONFIG_NAME, SECRET_NAME, SECRET_VARIABLES
from nsl.ops.manifests.k8s import (
    PART_OF,
    app_labels,
    container_security,
    env_from,
    meta,
    pod_security,
    scratch_volumes,
    shared_meta,
)
from nsl.ops.manifests.plan import Plan
from nsl.ops.manifests.spec import BACKUP_VOLUME, NAMESPACE, BackupJob

TLS_SECRET = "nsl-gateway-tls"
TEMPLATE_NOTE = (
    "TEMPLATE - do not apply. Create the Secret from the env file of 'nsl credentials "
    "generate' (docs/operations-deploy-manifests.md). Empty values are refused at start."
)


def namespace(plan: Plan) -> dict[str, Any]:
    found = {
        "app.kubernetes.io/part-of": PART_OF,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": NAMESPACE, "labels": found},
    }


def config_map(plan: Plan, env: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": shared_meta(plan, CONFIG_NAME, "settings"),
        "data": dict(sorted(env.items())),
    }


def secret_template(plan: Plan) -> dict[str, Any]:
    """The Secret's keys with empty values: a reference, refused by the production checks."""
    metadata = shared_meta(plan, SECRET_NAME, "credentials")
    metadata["annotations"] = {"nsl.io/template": TEMPLATE_NOTE}
    values = {name: "production" if name == "NSL_ENV" else "" for name in SECRET_VARIABLES}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
        "stringData": values,
    }


def ingress(plan: Plan) -> dict[str, Any]:
    """TLS terminates here (secret ``nsl-gateway-tls``); the gateway serves plain HTTP behind."""
    backend = {"service": {"name": plan.gateway.host, "port": {"name": "http"}}}
    rule: dict[str, Any] = {
        "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}
    }
    tls: dict[str, Any] = {"secretName": TLS_SECRET}
    if plan.domain:
        rule["host"] = tls_host = f"api.{plan.domain}"
        tls["hosts"] = [tls_host]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(plan, plan.gateway.host, plan.gateway.name, plan.gateway.phase),
        "spec": {"tls": [tls], "rules": [rule]},
    }


def _pod(
    plan: Plan, component: str, argv: list[str], extra: list[dict[str, Any]]
) -> dict[str, Any]:
    volumes, mounts = scratch_volumes()
    for volume in extra:
        volumes.append(volume["volume"])
        mounts.append(volume["mount"])
    return {
        "metadata": {"labels": app_labels(plan, component)},
        "spec": {
            "restartPolicy": "OnFailure",
            "automountServiceAccountToken": False,
            "securityContext": pod_security(),
            "containers": [
                {
                    "name": "nsl",
                    "image": plan.image,
                    "command": argv,
                    "envFrom": env_from(),
                    "securityContext": container_security(),
                    "volumeMounts": mounts,
                }
            ],
            "volumes": volumes,
        },
    }


def migrate_job(plan: Plan) -> dict[str, Any]:
    """``nsl db upgrade`` once per version (a Job's pod template cannot change in place)."""
    name = "nsl-migrate-" + "".join(c if c.isalnum() else "-" for c in plan.version.lower())
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": shared_meta(plan, name[:63].rstrip("-"), "migrate"),
        "spec": {
            "backoffLimit": 4,
            "ttlSecondsAfterFinished": 86400,
            "template": _pod(plan, "migrate", ["nsl", "db", "upgrade"], []),
        },
    }


def backup_objects(plan: Plan) -> list[dict[str, Any]]:
    """The backups claim (when a CronJob or the backup service mounts it) and one CronJob per
    offered backup command."""
    mounted = any(BACKUP_VOLUME in p.spec.volumes for p in plan.processes)
    if not plan.backup_jobs and not mounted:
        return []
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": shared_meta(plan, f"nsl-{BACKUP_VOLUME.name}", "backup"),
        "spec": {
            "accessModes": [BACKUP_VOLUME.access_mode],
            "resources": {"requests": {"storage": BACKUP_VOLUME.size}},
        },
    }
    return [claim, *(_cron(plan, job) for job in plan.backup_jobs)]


def _cron(plan: Plan, job: BackupJob) -> dict[str, Any]:
    store = {
        "volume": {
            "name": BACKUP_VOLUME.name,
            "persistentVolumeClaim": {"claimName": f"nsl-{BACKUP_VOLUME.name}"},
        },
        "mount": {"name": BACKUP_VOLUME.name, "mountPath": BACKUP_VOLUME.mount_path},
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": shared_meta(plan, f"nsl-backup-{job.kind}", "backup"),
        "spec": {
            "schedule": job.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": _pod(plan, "backup", ["nsl", *job.argv], [store]),
                }
            },
        },
    }
