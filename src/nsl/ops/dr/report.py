"""The drill's JSON report: figures next to the seed's targets, checks, steps; pass or fail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nsl.ops.dr import measure, probes
from nsl.ops.dr.drill import Drill
from nsl.ops.dr.region import Region
from nsl.ops.dr.targets import Measured, judge
from nsl.ops.dr.writer import present_names


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch else None


def _check(name: str, passed: bool, detail: object) -> dict[str, object]:
    return {"check": name, "pass": passed, "detail": detail}


class Findings:
    """Figures and checks collected from the recovered system."""

    def __init__(self) -> None:
        self.figures: list[Measured] = []
        self.checks: list[dict[str, object]] = []
        self.sections: dict[str, Any] = {}

    def writes(self, drill: Drill, region: Region) -> None:
        seen, writer = drill.seen, drill.seen.writer
        if writer is None:
            return
        names = present_names(region.url, drill.operator.admin_key, f"dr-{drill.run_id}-")
        here = [ack.name in names for ack in writer.acks]
        writes: dict[str, Any] = dict(measure.loss(writer.acks, here, seen.failure_at))
        missing = measure.lost_before(writer.acks, here, seen.backup_point)
        writes["lost_before_last_backup_point"] = missing
        writes["last_backup_point_age_s"] = round(seen.failure_at - seen.backup_point, 3)
        writes["write_errors"] = writer.errors
        self.sections["writes"] = writes
        self.figures.append(Measured("database", "rpo_s", float(writes["rpo_s"])))
        self.checks.append(
            _check("writes before the last backup point present", missing == 0, f"{missing} lost")
        )

    def keys(self, drill: Drill, region: Region) -> None:
        seen = drill.seen
        if seen.key is None:
            return
        signed = probes.signs_with_same_key(region.url, drill.operator.admin_key, seen.key)
        rpo = 0.0 if signed.signs else seen.failure_at - seen.key.created_at
        self.figures.append(Measured("keys", "rpo_s", rpo))
        self.sections["keys"] = {
            "key_id": seen.key.key_id,
            "public_key": seen.key.public_key,
            "signs_with_same_public_key": signed.signs,
            "signed_data": signed.data,
            "signature": signed.signature,
            "detail": signed.detail,
        }
        self.checks.append(
            _check("key signs with the same public key", signed.signs, signed.detail)
        )

    def configuration(self, drill: Drill, region: Region) -> None:
        seen = drill.seen
        here = [probes.config_present(region.url, drill.operator.admin_key, c) for c in seen.config]
        config: dict[str, Any] = dict(measure.loss(seen.config, here, seen.failure_at))
        config["backup_lag_s"] = seen.config_backup_lag_s
        self.sections["configuration"] = config
        self.figures.append(Measured("configuration", "rpo_s", float(config["rpo_s"])))
        detail = f"{config['lost']} of {config['acknowledged']} changes lost"
        self.checks.append(
            _check("last configuration change present", bool(here and here[-1]), detail)
        )


def build(drill: Drill, error: str | None = None) -> dict[str, Any]:
    seen = drill.seen
    found = Findings()
    region = seen.recovered
    rto = seen.ready_at - seen.failure_at if region is not None and seen.ready_at else None
    found.figures += [Measured(c, "rto_s", rto) for c in drill.scenario.rto_categories]
    if region is not None and rto is not None:
        try:
            found.writes(drill, region)
            found.keys(drill, region)
            found.configuration(drill, region)
        except Exception as exc:  # noqa: BLE001  # a failed measurement fails the drill
            found.checks.append(_check("recovered system measured", False, repr(exc)[:1000]))
    found.checks.append(_check("destroyed before recovery", bool(seen.evidence), "see evidence"))
    if error is not None:
        found.checks.append(_check("drill ran to the end", False, error))
    targets = judge(found.figures)
    passed = all(bool(t["pass"]) for t in targets.values()) and all(
        bool(c["pass"]) for c in found.checks
    )
    return {
        "scenario": drill.options.scenario,
        "engine": drill.options.engine,
        "workdir": str(drill.options.workdir),
        "passed": passed,
        "failure_at": _iso(seen.failure_at),
        "ready_at": _iso(seen.ready_at),
        "recovered_region": region.name if region else None,
        "targets": targets,
        **found.sections,
        "checks": found.checks,
        "backups_at_failure": seen.backups,
        "evidence": seen.evidence,
        "steps": drill.log.steps,
    }


def run(drill: Drill) -> dict[str, Any]:
    """Run every phase; an error ends the drill early and is reported (the report fails)."""
    error = None
    try:
        layer = drill.prepare()
        drill.load()
        drill.fail(layer)
        drill.recover(layer)
    except Exception as exc:  # noqa: BLE001  # reported as a failed check, and the drill fails
        error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        return build(drill, error)
    finally:
        drill.cleanup()
