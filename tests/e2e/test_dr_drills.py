"""The three disaster-recovery drills, on SQLite and on PostgreSQL, through ``nsl dr-test``.

Each drill really breaks a service layer on this machine (killed processes, deleted database
files, a destroyed throw-away PostgreSQL cluster, a wiped region) and recovers it from the
backups; the test checks the drill's JSON report and re-verifies the key's signature itself.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tests.e2e.conftest import NSL

SCENARIOS = ["database_failure", "complete_outage", "region_failure"]
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
RTO_CATEGORIES = {
    "database_failure": {"database"},
    "complete_outage": {"services", "whole_system"},
    "region_failure": {"whole_system"},
}


@pytest.fixture
def workdir(pg_workdir: Path) -> Path:
    return pg_workdir


def drill(scenario: str, engine: str, workdir: Path) -> tuple[int, dict[str, Any], str]:
    report_file = workdir / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSL_")}
    args = [NSL, "dr-test", "--scenario", scenario, "--engine", engine]
    args += ["--workdir", str(workdir / "drill"), "--json-out", str(report_file)]
    args += ["--duration", "3", "--backup-every", "0.5"]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return done.returncode, report, done.stderr[-3000:]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_drill_recovers_within_the_seed_targets(scenario: str, engine: str, workdir: Path) -> None:
    code, report, stderr = drill(scenario, engine, workdir)
    assert report, stderr
    assert report["passed"] is True and code == 0, json.dumps(report, indent=1)[-6000:]
    assert (report["scenario"], report["engine"]) == (scenario, engine)

    # what was meant to be destroyed was gone before the recovery began
    steps = [s["step"] for s in report["steps"]]
    failure = steps.index("failure")
    assert any(s.startswith("restore database") for s in steps[failure:])
    evidence = report["evidence"]
    destroyed = [e for e in evidence.values() if isinstance(e, dict) and "destroyed" in e]
    removed = [e for e in evidence.values() if isinstance(e, dict) and "removed" in e]
    wiped = [e for e in evidence.values() if isinstance(e, dict) and "wiped" in e]
    if engine == "postgresql":
        assert destroyed and all(e["exists_after"] is False for e in destroyed)
    elif scenario == "database_failure":
        assert any(p.endswith("nsl.db") for e in removed for p in e["removed"])
    if scenario != "database_failure":
        assert wiped and all(e["exists_after"] is False for e in wiped)
        assert evidence["process"]["alive_after"] is False

    # acknowledged writes: every one acknowledged before the last backup point survived
    writes = report["writes"]
    assert writes["acknowledged"] > 0
    assert writes["lost_before_last_backup_point"] == 0
    assert 0 <= writes["rpo_s"] <= 900

    # RTO/RPO figures present, within the seed's targets
    targets = report["targets"]
    for category in RTO_CATEGORIES[scenario]:
        assert 0 < targets[category]["rto_s"] <= targets[category]["target_rto_s"]
    assert targets["database"]["rpo_s"] <= 900
    assert targets["keys"]["rpo_s"] == 0
    assert targets["configuration"]["rpo_s"] == 0
    assert report["configuration"]["lost"] == 0

    # the recovered system signs with the same public key: verified here independently
    keys = report["keys"]
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(keys["public_key"]))
    public.verify(bytes.fromhex(keys["signature"]), bytes.fromhex(keys["signed_data"]))


def test_a_drill_that_cannot_run_fails_and_leaves_the_work_dir_alone(workdir: Path) -> None:
    """A non-empty work dir is refused (the drill destroys what it creates there): exit 1."""
    (workdir / "drill").mkdir()
    precious = workdir / "drill" / "operator-notes.txt"
    precious.write_text("keep me")
    code, report, stderr = drill("complete_outage", "sqlite", workdir)
    assert code == 1 and report["passed"] is False
    failed = {c["check"]: c["detail"] for c in report["checks"] if not c["pass"]}
    assert "is not empty" in str(failed["drill ran to the end"])
    assert report["targets"]["services"]["rto_s"] is None
    assert report["targets"]["services"]["pass"] is False
    assert "drill failed" in stderr
    assert precious.read_text() == "keep me"
