"""``POST /verify``: rebuild a report target's message from its fields and count distinct,
valid signatures from the signer set (this oracle's, or one the caller gives)."""

from __future__ import annotations

from typing import Any

from nsl.chains.neo_n3.accounts import compressed_key
from nsl.chains.neo_x.accounts import address_bytes, checksum_address, parse_address
from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.errors import ValidationFailed
from nsl.services.oracle import reports, verifying
from nsl.services.oracle.errors import InvalidInput
from nsl.services.oracle.nodekeys import Member
from nsl.services.oracle.schemas import VerifyBody

CHAINS = (reports.OFFCHAIN, NEO_N3, NEO_X)


def _hex(value: str, field: str) -> bytes:
    text = value[2:] if value[:2] in ("0x", "0X") else value
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise InvalidInput.on(field, "hex", "must be hex") from None


def _ids(chain: str, given: list[str] | None, members: list[Member]) -> list[str]:
    """The signer set as identifiers: compressed keys (hex) or checksummed addresses."""
    if given is None:
        return [reports.signer_id(chain, m) for m in members]
    ids = []
    for i, item in enumerate(given):
        field = f"signers[{i}]"
        if chain == NEO_X:
            raw = _hex(item, field)
            ids.append(checksum_address(raw if len(raw) == 20 else address_bytes(raw)))
        else:
            ids.append(compressed_key(_hex(item, field), field).hex())
    return ids


def _signer(chain: str, text: str, field: str) -> str:
    if chain == NEO_X:
        return checksum_address(parse_address(text, field))
    return compressed_key(_hex(text, field), field).hex()


def _target(body: VerifyBody) -> reports.Target:
    if body.chain not in CHAINS:
        raise InvalidInput.on("chain", "allowed_values", "one of offchain, neo-n3, neo-x")
    if body.chain == reports.OFFCHAIN:
        return reports.OFFCHAIN_TARGET
    if not body.contract:
        raise InvalidInput.on("contract", "required", "the consumer contract of this report")
    return reports.Target(body.chain, body.network_id, body.contract)


def check(body: VerifyBody, members: list[Member], threshold: int) -> dict[str, Any]:
    target = _target(body)
    try:
        answer = int(body.answer)
    except ValueError:
        raise InvalidInput.on("answer", "integer", "an integer (the on-chain answer)") from None
    message = target.message(body.feed, body.round_id, answer, body.timestamp)
    ids = _ids(target.chain, body.signers, members)
    needed = body.threshold if body.threshold is not None else threshold
    if not 1 <= needed <= max(len(ids), 1):
        raise ValidationFailed.on("threshold", "range", "between 1 and the number of signers")
    counted: set[str] = set()
    results = []
    for i, item in enumerate(body.signatures):
        signer = _signer(target.chain, item.signer, f"signatures[{i}].signer")
        signature = _hex(item.signature, f"signatures[{i}].signature")
        if signer not in ids:
            results.append({"signer": signer, "valid": False, "reason": "not_in_signer_set"})
            continue
        if target.chain == NEO_X:
            ok = verifying.eip191_signer(message, signature) == signer
        else:
            ok = verifying.p256_valid(bytes.fromhex(signer), message, signature)
        reason = None if ok else "bad_signature"
        if ok and signer in counted:
            ok, reason = False, "duplicate"
        if ok:
            counted.add(signer)
        results.append({"signer": signer, "valid": ok, "reason": reason})
    valid = len(counted) >= needed
    return {
        "valid": valid,
        "reason": None if valid else f"{len(counted)} valid signatures, {needed} needed",
        "valid_signatures": len(counted),
        "threshold": needed,
        "message": message.hex(),
        "signatures": results,
    }
