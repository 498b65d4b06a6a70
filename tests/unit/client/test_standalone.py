"""The client ships alone: importing it loads no server package and no server framework."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_client_loads_only_httpx_and_the_stdlib() -> None:
    probe = (
        "import json, sys, nsl.client; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'nsl', 'fastapi', 'starlette', 'pydantic', 'sqlalchemy', 'jwt'})))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert [m for m in loaded if not m.startswith("nsl.client")] == ["nsl"]
