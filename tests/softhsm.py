"""A SoftHSM2 token per test for the pkcs11 enclave: skip on a laptop without it, fail in CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from nsl.enclave.softhsm import DEFAULT_MODULE, init_softhsm_token, softhsm_available

PIN = "test-user-pin-1234"
SO_PIN = "test-so-pin-5678"


def require_softhsm() -> None:
    """Skip (laptop) or fail (``CI=true``) when SoftHSM2 is not installed."""
    if softhsm_available(DEFAULT_MODULE):
        return
    message = f"SoftHSM2 is not installed ({DEFAULT_MODULE} or softhsm2-util missing)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the pkcs11 provider must be tested)")
    pytest.skip(message)


def fresh_token(
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    label: str = "nsl-test",
    options: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Initialise a token in ``directory``; returns ``enclave.pkcs11`` settings for it."""
    require_softhsm()
    monkeypatch.setenv("SOFTHSM2_CONF", "")  # the test's value is undone afterwards
    init_softhsm_token(directory, label, PIN, SO_PIN, options=options)
    return {"token_label": label, "pin": PIN}
