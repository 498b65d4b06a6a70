"""For the Neo N3 chain tests: a TxSigner backed by the real software enclave, the probe
contract's artefacts, and a node JSON-RPC call for looking behind the adapter's back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "neo_n3"
PROBE_NEF = (FIXTURES / "probe.nef").read_bytes()
PROBE_MANIFEST: dict[str, Any] = json.loads((FIXTURES / "probe.manifest.json").read_text())
GAS = 10**8  # datoshi per GAS
