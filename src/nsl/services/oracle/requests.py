"""Arbitrary requests (like Neo's native oracle): fetch a URL under the source rules, pick a
value with the JSONPath subset, and answer with the canonical result signed by this node."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nsl.core.enclave import SignAlgorithm
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.oracle import jsonpath, rules, sources
from nsl.services.oracle.errors import InvalidInput
from nsl.services.oracle.models import OracleRequest
from nsl.services.oracle.schemas import RequestBody

if TYPE_CHECKING:
    from nsl.services.oracle.base import OracleBase

DOMAIN = b"NSL/oracle-request/v1"
MAX_RESULT = 4096


def canonical(value: Any) -> str:
    """Sorted keys, no spaces, numbers as their exact decimal text."""
    if isinstance(value, dict):
        items = ",".join(f"{json.dumps(k)}:{canonical(v)}" for k, v in sorted(value.items()))
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)  # a valid JSON number, exactly as parsed
    return json.dumps(value)


def request_message(request_id: str, url: str, filter_: str, result: str) -> bytes:
    envelope = canonical({"filter": filter_, "id": request_id, "result": result, "url": url})
    return DOMAIN + hashlib.sha256(envelope.encode()).digest()


async def answer(service: OracleBase, body: RequestBody, principal: Principal) -> OracleRequest:
    settings = service.settings
    rules.url(body.url, "url", settings)
    try:
        steps = jsonpath.parse(body.filter)
    except jsonpath.PathError as exc:
        raise InvalidInput.on("filter", "jsonpath", str(exc)) from None
    row = OracleRequest(
        id=new_id(),
        owner_id=principal.id,
        url=body.url,
        filter=body.filter,
        status="failed",
        result=None,
        error=None,
        digest=None,
        signatures=None,
        created_at=service.ctx.clock.now(),
    )
    source = {
        "name": "request",
        "url": body.url,
        "headers": {},
        "timeout_s": settings.source_timeout_s,
    }
    try:
        data, status = await sources.fetch(service.http, source, service.no_secrets)
        if not 200 <= status < 300:
            raise sources.SourceFailed(f"http_{status}")
        try:
            document = json.loads(data, parse_float=Decimal, parse_int=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise sources.SourceFailed("not_json") from None
        try:
            result = canonical(jsonpath.extract(document, steps))
        except jsonpath.NoMatch:
            raise sources.SourceFailed("no_match") from None
        if len(result) > MAX_RESULT:
            raise sources.SourceFailed("result_too_large")
    except sources.SourceFailed as exc:
        row.error = exc.reason
    else:
        key = service.keys.own()
        message = request_message(row.id, row.url, row.filter, result)
        signature = await service.ctx.enclave.sign(key.n3_ref, message, SignAlgorithm.ECDSA_SHA256)
        row.status, row.result, row.digest = "answered", result, message[len(DOMAIN) :].hex()
        row.signatures = [{"signer": key.n3_public.hex(), "signature": signature.hex()}]
    async with service.ctx.database.session() as session:
        session.add(row)
    return row
