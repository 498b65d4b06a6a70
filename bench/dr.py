"""Disaster-recovery drills benchmark: each drill's measured RTO and RPO on this machine, against
a plain restart of the service layer (process start -> /health/ready, no restore) measured in
the same run; the ratio says what recovery costs over a restart. Prints one JSON object."""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nsl.ops.dr.drill import Drill, DrillOptions
from nsl.ops.dr.process import ServiceLayer
from nsl.ops.dr.region import Operator, Region
from nsl.ops.dr.report import run
from nsl.ops.dr.scenarios import SCENARIOS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of writes")
    parser.add_argument("--smoke", action="store_true", help="SQLite only, 1 s of writes (CI)")
    return parser.parse_args(argv)


def plain_restart(workdir: Path) -> float:
    """Start a service layer, stop it, start it again: seconds from the second start to ready."""
    operator = Operator(workdir, secrets.token_hex(32), "nsl_bench_" + secrets.token_hex(20), 60)
    layer = ServiceLayer(Region("baseline", operator, "sqlite"))
    layer.start()
    layer.wait_ready(180)
    layer.stop()
    started = time.time()
    layer.start()
    try:
        return layer.wait_ready(180) - started
    finally:
        layer.stop()


def figures(report: dict[str, Any]) -> dict[str, Any]:
    targets = report["targets"]
    rto = max((t["rto_s"] for t in targets.values() if t.get("rto_s") is not None), default=None)
    writes = report.get("writes", {})
    return {
        "passed": report["passed"],
        "rto_s": rto,
        "rpo_s": targets.get("database", {}).get("rpo_s"),
        "acknowledged": writes.get("acknowledged"),
        "lost": writes.get("lost"),
        "failed_checks": [c["check"] for c in report["checks"] if not c["pass"]],
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    engines = ["sqlite"] if args.smoke else args.engines.split(",")
    duration = 1.0 if args.smoke else args.duration
    root = Path(tempfile.mkdtemp(prefix="nsl-bench-dr-", dir="/tmp"))
    root.chmod(0o755)
    try:
        baseline = plain_restart(root / "baseline")
        drills: dict[str, Any] = {}
        for engine in engines:
            for scenario in args.scenarios.split(","):
                options = DrillOptions(
                    scenario, root / f"{scenario}-{engine}", engine, duration_s=duration
                )
                drills[f"{scenario}/{engine}"] = figures(run(Drill(options)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for figures_of in drills.values():
        rto = figures_of["rto_s"]
        figures_of["rto_over_restart"] = round(rto / baseline, 2) if rto is not None else None
    rtos = [d["rto_s"] for d in drills.values() if d["rto_s"] is not None]
    return {
        "benchmark": "dr",
        "smoke": args.smoke,
        "duration_s": duration,
        "baseline_restart_s": round(baseline, 3),
        "drills": drills,
        "worst_rto_s": max(rtos, default=None),
        "worst_rto_over_restart": round(max(rtos) / baseline, 2) if rtos else None,
        "all_passed": all(d["passed"] for d in drills.values()),
    }


if __name__ == "__main__":
    print(json.dumps(main(parse_args())))
