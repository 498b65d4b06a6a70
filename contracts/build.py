"""Compile the platform contracts into ``src/nsl/chains/artifacts/`` (``make contracts``).

Neo N3 sources (``neo_n3/*.py``, neo3-boa) and Neo X sources (``neo_x/*.vy``, Vyper) compile in
a tool venv of their own (``tools/contracts/venv``, created on first use), never in the
runtime venv. Each artefact records the SHA-256 of its source and the compiler version.
``--check`` compiles without writing and fails if a committed artefact differs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "contracts"
VENV = ROOT / "tools" / "contracts" / "venv"
OUT = ROOT / "src" / "nsl" / "chains" / "artifacts"
BOA_VERSION = "1.3.0"
VYPER_VERSION = "0.4.3"
PINS = (f"neo3-boa=={BOA_VERSION}", f"vyper=={VYPER_VERSION}")
FORMAT = 1


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _in_tool_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _pins_installed(python: Path) -> bool:
    probe = (
        "import importlib.metadata as m, sys;"
        f"sys.exit(0 if m.version('neo3-boa') == {BOA_VERSION!r}"
        f" and m.version('vyper') == {VYPER_VERSION!r} else 1)"
    )
    done = subprocess.run([python, "-c", probe], capture_output=True, check=False)  # noqa: S603
    return done.returncode == 0


def ensure_venv() -> Path:
    """The tool venv's interpreter, creating the venv and installing the pins if needed."""
    python = _venv_python()
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not _pins_installed(python):
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, *PINS], check=True)  # noqa: S603  # our venv, fixed pins
    return python


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compile_neo_n3(source: Path) -> dict[str, Any]:
    from boa3.boa3 import Boa3  # the tool venv only

    with tempfile.TemporaryDirectory() as tmp:
        nef_path = Path(tmp) / f"{source.stem}.nef"
        Boa3.compile_and_save(str(source), output_path=str(nef_path), show_errors=True)
        nef = nef_path.read_bytes()
        manifest = json.loads(nef_path.with_suffix(".manifest.json").read_text())
    # neo3-boa lists events in set order (varies with hash seeds); the order carries no meaning
    manifest["abi"]["events"].sort(key=lambda event: event["name"])
    return {
        "compiler": f"neo3-boa {BOA_VERSION}",
        "nef": base64.b64encode(nef).decode(),
        "manifest": manifest,
    }


def compile_neo_x(source: Path) -> dict[str, Any]:
    import vyper  # the tool venv only

    text = source.read_text()
    pragma = re.search(r"^#\s*pragma\s+evm-version\s+(\w+)\s*$", text, re.MULTILINE)
    if pragma is None:
        raise SystemExit(f"{source}: state the EVM version (# pragma evm-version ...)")
    output = vyper.compile_code(
        text,
        contract_path=source.name,
        output_formats=["abi", "bytecode", "bytecode_runtime"],
    )
    return {
        "compiler": f"vyper {vyper.__version__}",
        "evm_version": pragma.group(1),
        "abi": output["abi"],
        "bytecode": output["bytecode"],
        "bytecode_runtime": output["bytecode_runtime"],
    }


def build_one(chain: str, source: Path) -> dict[str, Any]:
    compiled = compile_neo_n3(source) if chain == "neo_n3" else compile_neo_x(source)
    return {
        "format": FORMAT,
        "name": source.stem,
        "chain": chain.replace("_", "-"),
        "source": source.relative_to(ROOT).as_posix(),
        "source_sha256": sha256_file(source),
        **compiled,
    }


def sources() -> list[tuple[str, Path]]:
    found = [("neo_n3", path) for path in sorted((SOURCES / "neo_n3").glob("*.py"))]
    return found + [("neo_x", path) for path in sorted((SOURCES / "neo_x").glob("*.vy"))]


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def build(check: bool) -> int:
    stale = []
    for chain, source in sources():
        target = OUT / chain / f"{source.stem}.json"
        text = render(build_one(chain, source))
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.relative_to(ROOT).as_posix())
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(f"wrote {target.relative_to(ROOT)}")
    for path in stale:
        print(f"out of date: {path} (run make contracts)", file=sys.stderr)
    return 1 if stale else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if an artefact is stale")
    args = parser.parse_args()
    if not _in_tool_venv():
        python = ensure_venv()
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        argv = [python, __file__, *sys.argv[1:]]
        return subprocess.run(argv, env=env, check=False).returncode  # noqa: S603  # this script
    os.chdir(ROOT)
    return build(args.check)


if __name__ == "__main__":
    sys.exit(main())
