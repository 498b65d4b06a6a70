"""Kubernetes objects for one process: Deployment, Service, HorizontalPodAutoscaler,
PodDisruptionBudget and the PersistentVolumeClaims its spec names."""

from __future__ import annotations

from typing import Any

from nsl.ops.manifests.env import CONFIG_NAME, SECRET_NAME
from nsl.ops.manifests.plan import Plan, Process
from nsl.ops.manifests.spec import DATA_DIR, NAMESPACE, PORT, RUN_AS, Volume

PART_OF = "neo-service-layer"
MANAGED_BY = "nsl-manifests"
CPU_TARGET = 70  # HPA: average CPU utilisation (of the request) to hold


def labels(plan: Plan, component: str, phase: int | None = None) -> dict[str, str]:
    found = {
        "app.kubernetes.io/name": f"nsl-{component}",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/version": plan.version,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    if phase is not None:
        found["nsl.io/phase"] = str(phase)
    return found


def app_labels(plan: Plan, component: str) -> dict[str, str]:
    """Labels of objects that belong to no one process (settings, policies, jobs)."""
    return {
        "app.kubernetes.io/name": PART_OF,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/version": plan.version,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def selector(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": f"nsl-{component}"}


def meta(plan: Plan, name: str, component: str, phase: int | None = None) -> dict[str, Any]:
    return {"name": name, "namespace": NAMESPACE, "labels": labels(plan, component, phase)}


def shared_meta(plan: Plan, name: str, component: str) -> dict[str, Any]:
    return {"name": name, "namespace": NAMESPACE, "labels": app_labels(plan, component)}


def claim_name(process: Process, volume: Volume) -> str:
    return f"nsl-{volume.name}" if volume.shared else f"{process.host}-{volume.name}"


def container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def scratch_volumes() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The writable directories a read-only root needs: /tmp and the data dir."""
    volumes = [{"name": "tmp", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]
    mounts = [
        {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 - a pod-private emptyDir
        {"name": "data", "mountPath": DATA_DIR},
    ]
    return volumes, mounts


def env_from() -> list[dict[str, Any]]:
    return [{"configMapRef": {"name": CONFIG_NAME}}, {"secretRef": {"name": SECRET_NAME}}]


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _container(plan: Plan, process: Process, mounts: list[dict[str, Any]]) -> dict[str, Any]:
    size = {"cpu": process.spec.cpu, "memory": process.spec.memory}
    return {
        "name": "nsl",
        "image": plan.image,
        "imagePullPolicy": "IfNotPresent",
        "command": list(process.command),
        "envFrom": env_from(),
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": _probe("/health/ready", 10, 3),
        "livenessProbe": _probe("/health/live", 20, 3),
        "startupProbe": _probe("/health/live", 5, 36),  # 3 min for migrations and chain checks
        "resources": {"requests": size, "limits": size},
        "securityContext": container_security(),
        "volumeMounts": mounts,
    }


def deployment(plan: Plan, process: Process) -> dict[str, Any]:
    volumes, mounts = scratch_volumes()
    for volume in process.spec.volumes:
        volumes.append(
            {
                "name": volume.name,
                "persistentVolumeClaim": {"claimName": claim_name(process, volume)},
            }
        )
        mounts.append({"name": volume.name, "mountPath": volume.mount_path})
    pod_labels = labels(plan, process.name, process.phase)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(plan, process.host, process.name, process.phase),
        "spec": {
            "replicas": process.spec.replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(process.name)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": pod_security(),
                    "terminationGracePeriodSeconds": 45,
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector(process.name)},
                        }
                    ],
                    "containers": [_container(plan, process, mounts)],
                    "volumes": volumes,
                },
            },
        },
    }


def service(plan: Plan, process: Process) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(plan, process.host, process.name, process.phase),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(process.name),
            "ports": [{"name": "http", "port": PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def autoscaler(plan: Plan, process: Process) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(plan, process.host, process.name, process.phase),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": process.host},
            "minReplicas": process.spec.replicas,
            "maxReplicas": process.spec.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": CPU_TARGET},
                    },
                }
            ],
        },
    }


def disruption_budget(plan: Plan, process: Process) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(plan, process.host, process.name, process.phase),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(process.name)}},
    }


def claims(plan: Plan, process: Process) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": meta(plan, claim_name(process, v), process.name, process.phase),
            "spec": {
                "accessModes": [v.access_mode],
                "resources": {"requests": {"storage": v.size}},
            },
        }
        for v in process.spec.volumes
        if not v.shared
    ]


def process_objects(plan: Plan, process: Process) -> list[dict[str, Any]]:
    """Everything one process needs, in apply order."""
    return [
        *claims(plan, process),
        deployment(plan, process),
        service(plan, process),
        autoscaler(plan, process),
        disruption_budget(plan, process),
    ]
