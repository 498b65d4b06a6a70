"""What the API returns: deployments, invocations, call results and estimates.

Amounts are integers in the chain's smallest unit (datoshi on Neo N3, wei on Neo X); a
``status`` of ``failed`` always comes with the VM's (or EVM's) message in ``error``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nsl.core.chain import CallResult, Estimate
from nsl.services.contracts.models import DeploymentRow, InvocationRow


def _time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _fee(value: str | None) -> int | None:
    return None if value is None else int(value)


def deployment_view(row: DeploymentRow) -> dict[str, Any]:
    return {
        "deployment_id": row.id,
        "chain": row.chain,
        "network": row.network,
        "name": row.name,
        "address": row.address,
        "owner_id": row.owner_id,
        "key_id": row.key_id,
        "code_hash": row.code_hash,
        "tx_hash": row.tx_hash,
        "block": row.block_number,
        "block_hash": row.block_hash,
        "state": row.state,
        "status": row.status,
        "gas_consumed": row.gas_consumed,
        "fee": _fee(row.fee),
        "error": row.error,
        "manifest": row.manifest,
        "abi": row.abi,
        "created_at": _time(row.created_at),
    }


def invocation_view(row: InvocationRow) -> dict[str, Any]:
    """An invocation as ``POST .../invoke`` answers it and the history lists it."""
    return {
        "invocation_id": row.id,
        "chain": row.chain,
        "network": row.network,
        "contract": row.contract,
        "method": row.method,
        "args": row.args,
        "owner_id": row.owner_id,
        "key_id": row.key_id,
        "tx_hash": row.tx_hash,
        "block": row.block_number,
        "block_hash": row.block_hash,
        "state": row.state,
        "status": row.status,
        "gas_consumed": row.gas_consumed,
        "fee": _fee(row.fee),
        "exception": row.error,
        "events": row.events,
        "created_at": _time(row.created_at),
    }


def call_view(result: CallResult) -> dict[str, Any]:
    return {
        "state": result.state,
        "result": [item.to_json() for item in result.result],
        "gas_consumed": result.gas_consumed,
        "exception": result.exception,
    }


def estimate_view(estimate: Estimate, sender: str) -> dict[str, Any]:
    return {
        "state": estimate.state,
        "gas_consumed": estimate.gas_consumed,
        "total_fee": estimate.total_fee,
        "details": estimate.details,
        "exception": estimate.exception,
        "sender": sender,
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
