"""Randomness endpoints (``/api/v1/randomness``): verifiable random values, checks, VRF keys."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/randomness"


def _hex(value: bytes | str) -> str:
    return value.hex() if isinstance(value, bytes) else value


class RandomnessEndpoints:
    @endpoint
    def generate_randomness(
        self,
        alpha: bytes | str,
        count: int = 1,
        min_value: int | None = None,
        max_value: int | None = None,
        suite: str | None = None,
        request_id: str | None = None,
    ) -> Call[JsonObject]:
        """``count`` values in [min, max] with the ECVRF proof over ``alpha`` (bytes or hex).

        Defaults: min 0, max 2**64-1, suite ECVRF-P256-SHA256-TAI. Repeating a ``request_id``
        returns the stored answer.
        """
        body: dict[str, Any] = {"alpha": _hex(alpha), "count": count}
        body.update(drop_none(min=min_value, max=max_value, suite=suite, request_id=request_id))
        return Call("POST", PREFIX, results.json_object, json=body)

    @endpoint
    def get_randomness(self, request_id: str) -> Call[JsonObject]:
        """One of your requests (status, proof and values once fulfilled)."""
        return Call("GET", f"{PREFIX}/{path_segment(request_id)}", results.json_object)

    @endpoint
    def list_randomness(
        self, status: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = {"status": status, "page": page, "page_size": page_size}
        return Call("GET", PREFIX, results.json_body, params=params)

    @endpoint
    def verify_randomness(
        self,
        public_key: bytes | str,
        proof: bytes | str,
        alpha: bytes | str,
        suite: str | None = None,
        count: int | None = None,
        min_value: int | None = None,
        max_value: int | None = None,
        values: list[int] | None = None,
    ) -> Call[JsonObject]:
        """``{"valid", "suite", "beta"?, "values"?, "reason"?}``: a proof that does not verify is
        ``valid: false``, not an error."""
        body: dict[str, Any] = {
            "public_key": _hex(public_key),
            "proof": _hex(proof),
            "alpha": _hex(alpha),
        }
        body.update(
            drop_none(suite=suite, count=count, min=min_value, max=max_value, values=values)
        )
        return Call("POST", f"{PREFIX}/verify", results.json_object, json=body)

    @endpoint
    def randomness_keys(self) -> Call[JsonObject]:
        """``{"items": [{"suite", "public_key", "created_at"}]}``: the service's VRF keys."""
        return Call("GET", f"{PREFIX}/keys", results.json_object)

    @endpoint
    def publish_randomness(
        self, request_id: str, chain: str, contract: str, consumer_request_id: int, key_id: str
    ) -> Call[JsonObject]:
        """Fulfil a consumer contract with a fulfilled request's output: ``{"randomness",
        "invocation": {"tx_hash", "block", "state", ...}}``."""
        body = {
            "chain": chain,
            "contract": contract,
            "consumer_request_id": consumer_request_id,
            "key_id": key_id,
        }
        path = f"{PREFIX}/{path_segment(request_id)}/publish"
        return Call("POST", path, results.json_object, json=body)
