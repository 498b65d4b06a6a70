"""NetworkPolicies after the seed: default deny; in, 80/443 reach the gateway (through the
Ingress, to its port 8080) and the gateway reaches the services on 8080; out, DNS (53) and HTTPS
(443) only, plus PostgreSQL 5432, Redis 6379 and RabbitMQ 5672 inside the cluster."""

from __future__ import annotations

from typing import Any

from nsl.ops.manifests.k8s import PART_OF, selector, shared_meta
from nsl.ops.manifests.plan import Plan
from nsl.ops.manifests.spec import PORT

DATA_PORTS = (5432, 6379, 5672)
PROMETHEUS = {"app.kubernetes.io/name": "prometheus"}


def _policy(plan: Plan, name: str, pods: dict[str, Any], **rules: Any) -> dict[str, Any]:
    types = [kind for kind in ("Ingress", "Egress") if kind.lower() in rules]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": shared_meta(plan, name, "network"),
        "spec": {"podSelector": pods, "policyTypes": types or ["Ingress", "Egress"], **rules},
    }


def _ports(*numbers: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": n} for n in numbers]


def network_policies(plan: Plan) -> list[dict[str, Any]]:
    everything: dict[str, Any] = {}
    ours = {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}
    gateway = {"matchLabels": selector(plan.gateway.name)}
    names = [p.name for p in plan.services]
    services = {
        "matchExpressions": [
            {"key": "app.kubernetes.io/component", "operator": "In", "values": names}
        ]
    }
    in_cluster: list[dict[str, Any]] = [
        {"namespaceSelector": {}}
    ]  # pods of any namespace, never an outside address
    policies = [
        _policy(plan, "nsl-default-deny", everything),
        _policy(
            plan,
            "nsl-egress-dns",
            everything,
            egress=[{"ports": _ports(53, protocol="UDP") + _ports(53)}],
        ),
        _policy(plan, "nsl-egress-https", ours, egress=[{"ports": _ports(443)}]),
        _policy(
            plan, "nsl-egress-data", ours, egress=[{"to": in_cluster, "ports": _ports(*DATA_PORTS)}]
        ),
        # the Ingress controller (any namespace) or a load balancer forwards 80/443 here
        _policy(plan, "nsl-gateway-ingress", gateway, ingress=[{"ports": _ports(PORT)}]),
        _policy(
            plan,
            "nsl-prometheus-scrape",
            ours,
            ingress=[
                {
                    "from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": PROMETHEUS}}],
                    "ports": _ports(PORT),
                }
            ],
        ),
    ]
    if names:
        policies += [
            _policy(
                plan,
                "nsl-gateway-to-services",
                gateway,
                egress=[{"to": [{"podSelector": services}], "ports": _ports(PORT)}],
            ),
            _policy(
                plan,
                "nsl-services-from-gateway",
                services,
                ingress=[{"from": [{"podSelector": gateway}], "ports": _ports(PORT)}],
            ),
        ]
    return policies
