"""Opening a PKCS#11 token: a process-wide PIN login, one session per enclave, its offer.

Login state belongs to the application, not a session, so it is a counted lease per token.
Every function here runs on the token thread (``pkcs11_thread``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pkcs11
from pkcs11 import Mechanism, SlotFlag
from pkcs11.exceptions import (
    NoSuchToken,
    PinExpired,
    PinIncorrect,
    PinLenRange,
    PinLocked,
    PKCS11Error,
    UserAlreadyLoggedIn,
    UserPinNotInitialized,
)

from nsl.core.enclave import EnclaveError, KeyType
from nsl.enclave import pkcs11_ops as ops

# (module path, slot id) -> (the session holding the PIN login or None, enclaves using it)
_logins: dict[tuple[str, int], tuple[pkcs11.Session | None, int]] = {}


@dataclass(frozen=True)
class TokenInfo:
    """Who the token is and what it offers (probed when the enclave starts)."""

    module: str
    label: str
    manufacturer: str
    model: str
    serial: str
    hardware_slot: bool
    mechanisms: frozenset[int]
    curves: frozenset[KeyType]

    def describe(self) -> str:
        return f"token '{self.label}' ({self.manufacturer} {self.model})"

    def mechanism_names(self) -> list[str]:
        return sorted(_name(m) for m in self.mechanisms)

    def attestation_details(self) -> dict[str, Any]:
        token = {"label": self.label, "manufacturer": self.manufacturer, "model": self.model}
        return {"token": {**token, "serial": self.serial, "module": self.module}}

    def attestation_notice(self) -> str:
        return (
            f"pkcs11 provider on {self.manufacturer} {self.model}, whose slot does not report "
            "hardware (CKF_HW_SLOT), so no hardware isolation is claimed: a software token such "
            "as SoftHSM2 uses keys in this host's memory and keeps its objects on this host's disk"
        )


@dataclass
class OpenToken:
    """An enclave's session on a logged-in token; use only on the token thread."""

    info: TokenInfo
    session: pkcs11.Session = field(repr=False)
    login_key: tuple[str, int]


def open_token(module: Path, label: str, pin: str) -> OpenToken:
    """Load the module, find the token, log in (once per process) and open a session."""
    path = str(module)
    if not module.exists():
        raise EnclaveError(
            f"PKCS#11 module {path} does not exist (install softhsm2, or set "
            "NSL_ENCLAVE__PKCS11__MODULE to your HSM's library)",
            code="enclave.pkcs11_module_missing",
        )
    try:
        token = pkcs11.lib(path).get_token(token_label=label)
    except NoSuchToken as exc:
        raise EnclaveError(
            f"no PKCS#11 token labelled '{label}' in {path} (initialise one, e.g. "
            f"'softhsm2-util --init-token --free --label {label}')",
            code="enclave.pkcs11_token_missing",
        ) from exc
    login_key = (path, token.slot.slot_id)
    _login(token, login_key, pin)
    try:
        session = token.open(rw=True)
        info = _probe(path, token, session)
    except BaseException:
        _release_login(login_key)
        raise
    return OpenToken(info, session, login_key)


def close_token(opened: OpenToken) -> None:
    with contextlib.suppress(PKCS11Error):  # the library was re-initialised: session gone
        opened.session.close()
    _release_login(opened.login_key)


def reload_module(module: Path) -> None:
    """Make an already-loaded module re-read its configuration and token list.

    Every session of this process on that module ends; used after creating a token
    (``nsl.enclave.softhsm``) with no enclave open.
    """
    path = str(module)
    for key in [key for key in _logins if key[0] == path]:
        del _logins[key]
    loaded = pkcs11._loaded.get(path)
    if loaded is not None:
        loaded.reinitialize()


def _login(token: pkcs11.Token, key: tuple[str, int], pin: str) -> None:
    holder, users = _logins.get(key, (None, 0))
    if users == 0:
        try:
            holder = token.open(user_pin=pin, rw=True)
        except UserAlreadyLoggedIn:
            holder = None  # someone else in this process logged in; the state is shared
        except (PinExpired, PinIncorrect, PinLenRange, PinLocked, UserPinNotInitialized) as exc:
            raise EnclaveError(
                f"the PKCS#11 token '{token.label}' refused the user PIN "
                f"({type(exc).__name__}); check NSL_ENCLAVE__PKCS11__PIN",
                code="enclave.pkcs11_login_failed",
            ) from exc
    _logins[key] = (holder, users + 1)


def _release_login(key: tuple[str, int]) -> None:
    if key not in _logins:
        return
    holder, users = _logins[key]
    if users > 1:
        _logins[key] = (holder, users - 1)
        return
    del _logins[key]
    if holder is not None:
        with contextlib.suppress(PKCS11Error):
            holder.close()  # logs the application out of the token


def _probe(path: str, token: pkcs11.Token, session: pkcs11.Session) -> TokenInfo:
    mechanisms = frozenset(int(m) for m in token.slot.get_mechanisms())
    curves = frozenset(
        key_type for key_type in KeyType if ops.curve_works(session, mechanisms, key_type)
    )
    return TokenInfo(
        module=path,
        label=token.label,
        manufacturer=token.manufacturer_id,
        model=token.model,
        serial=token.serial.decode("ascii", errors="replace")
        if isinstance(token.serial, bytes)
        else str(token.serial),
        hardware_slot=bool(token.slot.flags & SlotFlag.HW_SLOT),
        mechanisms=mechanisms,
        curves=curves,
    )


def _name(mechanism: int) -> str:
    try:
        return "CKM_" + Mechanism(mechanism).name
    except ValueError:
        return hex(mechanism)


def mechanism_name(mechanism: Mechanism) -> str:
    return _name(int(mechanism))


__all__ = [
    "OpenToken",
    "TokenInfo",
    "close_token",
    "mechanism_name",
    "open_token",
    "reload_module",
]
