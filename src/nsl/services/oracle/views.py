"""Read views: feeds (with freshness), rounds, the latest signed report, requests, pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nsl.services.oracle import values
from nsl.services.oracle.models import OracleFeed, OracleRequest, OracleRound


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def unix_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def freshness(feed: OracleFeed, latest: OracleRound | None, now_s: float) -> dict[str, Any]:
    """``stale`` when there is no round, the heartbeat has passed, or the newest observation
    attempt was refused (fewer usable sources than the minimum, disagreement...)."""
    refusal = feed.last_refusal
    if latest is None:
        return {
            "updated_at": None,
            "age_s": None,
            "heartbeat_s": feed.heartbeat_s,
            "stale": True,
            "refusal": refusal,
        }
    age = max(now_s - latest.timestamp, 0.0)
    refused_since = refusal is not None and int(refusal.get("at", 0)) >= latest.timestamp
    return {
        "updated_at": unix_time(latest.timestamp),
        "age_s": int(age),
        "heartbeat_s": feed.heartbeat_s,
        "stale": age > feed.heartbeat_s or refused_since,
        "refusal": refusal,
    }


def feed_view(feed: OracleFeed, latest: OracleRound | None, now_s: float) -> dict[str, Any]:
    sources = [
        {
            **s,
            "headers": {
                k: ("<secret>" if isinstance(v, dict) else v) for k, v in s["headers"].items()
            },
        }
        for s in feed.sources
    ]
    return {
        "name": feed.name,
        "owner_id": feed.owner_id,
        "description": feed.description,
        "decimals": feed.decimals,
        "sources": sources,
        "aggregation": feed.aggregation,
        "min_sources": feed.min_sources,
        "deviation": feed.deviation,
        "status": feed.status,
        "round_id": None if latest is None else latest.round_id,
        "value": None
        if latest is None
        else values.text(values.to_value(int(latest.answer), latest.decimals)),
        **freshness(feed, latest, now_s),
        "created_at": _time(feed.created_at),
    }


def round_view(row: OracleRound) -> dict[str, Any]:
    return {
        "feed": row.feed,
        "round_id": row.round_id,
        "value": values.text(values.to_value(int(row.answer), row.decimals)),
        "answer": row.answer,
        "decimals": row.decimals,
        "timestamp": row.timestamp,
        "confidence": {"low": row.confidence_low, "high": row.confidence_high},
        "observations": row.observations,
        "reports": row.reports,
        "pushes": row.pushes,
        "finalized_at": _time(row.finalized_at),
    }


def latest_view(feed: OracleFeed, row: OracleRound, signers: dict[str, Any]) -> dict[str, Any]:
    """The signed report for a caller to check or submit (the freshness is added per read)."""
    return {
        "feed": row.feed,
        "round_id": row.round_id,
        "value": values.text(values.to_value(int(row.answer), row.decimals)),
        "answer": row.answer,
        "decimals": row.decimals,
        "timestamp": row.timestamp,
        "confidence": {"low": row.confidence_low, "high": row.confidence_high},
        "signers": signers,
        "reports": row.reports,
    }


def request_view(row: OracleRequest) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "filter": row.filter,
        "status": row.status,
        "result": row.result,
        "error": row.error,
        "digest": row.digest,
        "signatures": row.signatures,
        "created_at": _time(row.created_at),
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
