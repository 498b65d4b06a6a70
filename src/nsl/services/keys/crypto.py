"""Use cases with a key's private half, all inside the enclave: sign, verify, encrypt, decrypt,
data keys and export. Each checks ownership, state, usage and the per-key rate limit, counts
the use and writes an audit entry (failures too)."""

from __future__ import annotations

import base64
from typing import Any

from nsl.core.security import Principal
from nsl.enclave.signatures import verify_signature
from nsl.services.keys import ciphertexts, rules, schemes, transactions
from nsl.services.keys.chainsign import ChainSigning
from nsl.services.keys.errors import InvalidInput, NotExportable, VersionUnavailable
from nsl.services.keys.record import KeyRecord, VersionInfo
from nsl.services.keys.schemas import (
    DataKeyBody,
    DecryptBody,
    EncryptBody,
    ExportBody,
    SignBody,
    VerifyBody,
)

EXPORT_FORMAT = "nsl-export-v1"


class CryptoUseCases(ChainSigning):
    async def sign(self, key_id: str, body: SignBody, *, principal: Principal) -> dict[str, Any]:
        async with self.audited("sign", principal, key_id) as audit:
            record = await self.usable(key_id, principal, "sign")
            version = record.current
            audit.version = version.version
            name = schemes.resolve(body.scheme, record.key_type, transactions=True)
            audit.details = {"scheme": name}
            if body.submit:
                self.check_submittable(name)
            if name == schemes.NEO_N3_TX:
                payload, result = await transactions.sign_neo_n3(self.ctx.enclave, version, body)
            elif name == schemes.EVM_EIP1559:
                payload, result = await transactions.sign_eip1559(self.ctx.enclave, version, body)
            else:
                payload, result = await self._sign_data(version, name, body)
            audit.data(payload)
            self.usage.count(key_id, "sign", self.now())
        signed = {**result, "key_version": version.version, "scheme": name}
        if body.submit:
            signed["submitted"] = await self.submit_signed(name, result)
        return signed

    async def _sign_data(
        self, version: VersionInfo, name: str, body: SignBody
    ) -> tuple[bytes, dict[str, Any]]:
        if body.data is None:
            raise InvalidInput.on("data", "required", f"{name} signs data: give it as hex")
        if body.transaction is not None or body.network_magic is not None:
            raise InvalidInput.on("transaction", "scheme", f"{name} signs data, not transactions")
        data = rules.hex_bytes(body.data, "data")
        scheme = schemes.SCHEMES[name]
        message, algorithm = scheme.signing_input(data, body.prehashed)
        signature = await self.ctx.enclave.sign(version.ref, message, algorithm)
        return data, {"signature": scheme.to_wire(signature).hex()}

    async def verify(
        self, key_id: str, body: VerifyBody, *, principal: Principal
    ) -> dict[str, Any]:
        """Valid when the signature verifies under the named version, or (none named) under any
        usable version ≥ ``min_verify_version``, newest first."""
        async with self.audited("verify", principal, key_id) as audit:
            record = await self.usable(key_id, principal, "verify")
            name = schemes.resolve(body.scheme, record.key_type, transactions=False)
            scheme = schemes.SCHEMES[name]
            data = rules.hex_bytes(body.data, "data")
            audit.data(data)
            audit.details = {"scheme": name}
            signature = scheme.from_wire(rules.hex_bytes(body.signature, "signature"))
            message, algorithm = scheme.signing_input(data, body.prehashed)
            self.usage.count(key_id, "verify", self.now())
            if body.key_version is not None:
                audit.version = body.key_version
                refusal = _verify_refusal(record, body.key_version)
                if refusal is not None:
                    return _invalid(body.key_version, name, refusal)
                candidates = [record.versions[body.key_version]]
            else:
                candidates = record.verifying_versions()
            for version in candidates:
                if signature is not None and verify_signature(
                    record.key_type, version.public_key, message, signature, algorithm
                ):
                    audit.version = version.version
                    return {"valid": True, "key_version": version.version, "scheme": name}
            if body.key_version is None and signature is not None:
                for version in record.retired_versions():
                    if verify_signature(
                        record.key_type, version.public_key, message, signature, algorithm
                    ):
                        audit.version = version.version
                        reason = _below_minimum(version.version, record.min_verify_version)
                        return _invalid(version.version, name, reason)
            return _invalid(body.key_version, name, "the signature does not verify")

    async def encrypt(
        self, key_id: str, body: EncryptBody, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.audited("encrypt", principal, key_id) as audit:
            record = await self.usable(key_id, principal, "encrypt")
            version = record.current
            audit.version = version.version
            plaintext = rules.base64_bytes(body.plaintext, "plaintext")
            audit.data(plaintext)
            aad = self._aad(record, version.version, body.aad)
            blob = await self.ctx.enclave.encrypt(version.ref, plaintext, aad)
            self.usage.count(key_id, "encrypt", self.now())
            return {
                "ciphertext": ciphertexts.encode(version.version, blob),
                "key_version": version.version,
            }

    async def decrypt(
        self, key_id: str, body: DecryptBody, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.audited("decrypt", principal, key_id) as audit:
            record = await self.usable(key_id, principal, "decrypt")
            number, blob = ciphertexts.decode(body.ciphertext)
            audit.version = number
            audit.data(blob)
            version = record.versions.get(number)
            if version is None or version.destroyed:
                raise VersionUnavailable(f"version {number} of this key does not exist (any more)")
            aad = self._aad(record, number, body.aad)
            plaintext = await self.ctx.enclave.decrypt(version.ref, blob, aad)
            self.usage.count(key_id, "decrypt", self.now())
            return {
                "plaintext": base64.b64encode(plaintext).decode(),
                "key_version": number,
            }

    async def datakey(
        self, key_id: str, body: DataKeyBody, *, principal: Principal, plaintext: bool = True
    ) -> dict[str, Any]:
        """A fresh AES-256 data key and its ciphertext under the key (decrypt it with
        ``decrypt``); ``plaintext=False`` returns only the ciphertext."""
        async with self.audited("datakey", principal, key_id) as audit:
            record = await self.usable(key_id, principal, "encrypt")
            version = record.current
            audit.version = version.version
            aad = self._aad(record, version.version, body.aad)
            key = await self.ctx.enclave.generate_data_key(version.ref, aad)
            audit.data(key.wrapped)
            self.usage.count(key_id, "encrypt", self.now())
            result: dict[str, Any] = {
                "ciphertext": ciphertexts.encode(version.version, key.wrapped),
                "key_version": version.version,
            }
            if plaintext:
                result["plaintext"] = base64.b64encode(key.plaintext).decode()
            return result

    async def export(
        self, key_id: str, body: ExportBody, *, principal: Principal
    ) -> dict[str, Any]:
        """The private key wrapped for the caller's P-256 public key (``nsl-export-v1``, see
        ``nsl.enclave.ecies``); only for keys created exportable."""
        async with self.audited("export", principal, key_id) as audit:
            record = await self.record(key_id, principal)
            self.check_state(record.status, record.expires_at)
            number = record.current_version if body.key_version is None else body.key_version
            audit.version = number
            recipient = rules.hex_bytes(body.recipient_public_key, "recipient_public_key")
            audit.data(recipient)
            if not record.exportable:
                raise NotExportable("this key was not created exportable")
            version = record.versions.get(number)
            if version is None or version.destroyed:
                raise VersionUnavailable(f"version {number} of this key does not exist (any more)")
            wrapped = await self.ctx.enclave.export_key(version.ref, recipient)
            return {"wrapped_key": wrapped.hex(), "format": EXPORT_FORMAT, "key_version": number}

    @staticmethod
    def _aad(record: KeyRecord, version: int, caller: str | None) -> bytes:
        extra = rules.hex_bytes(caller, "aad", max_bytes=8192) if caller is not None else b""
        return ciphertexts.associated_data(record.id, version, extra)


def _verify_refusal(record: KeyRecord, number: int) -> str | None:
    version = record.versions.get(number)
    if version is None:
        return f"the key has no version {number}"
    if version.destroyed:
        return f"version {number} is destroyed"
    if number < record.min_verify_version:
        return _below_minimum(number, record.min_verify_version)
    return None


def _below_minimum(number: int, minimum: int) -> str:
    return f"signed by version {number}, below min_verify_version {minimum}"


def _invalid(version: int | None, scheme: str, reason: str) -> dict[str, Any]:
    return {"valid": False, "key_version": version, "scheme": scheme, "reason": reason}
