"""DR drill figures: RPO from acknowledged vs present items, targets judged per category."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from nsl.ops.dr import failures, measure
from nsl.ops.dr.backups import catalogue, newest_point
from nsl.ops.dr.steps import StepLog
from nsl.ops.dr.targets import TARGETS, Measured, judge


@dataclass(frozen=True)
class Item:
    acked_at: float


def test_rpo_is_the_age_of_the_oldest_lost_item_at_failure_time() -> None:
    items = [Item(100.0), Item(101.0), Item(102.0), Item(103.0)]
    figures = measure.loss(items, [True, True, False, False], failure_at=104.5)
    assert figures == {"acknowledged": 4, "lost": 2, "rpo_s": 2.5}
    assert measure.lost_before(items, [True, True, False, False], point=101.5) == 0
    assert measure.lost_before(items, [True, False, True, True], point=101.5) == 1


def test_nothing_lost_is_rpo_zero() -> None:
    assert measure.loss([Item(1.0)], [True], failure_at=9.0)["rpo_s"] == 0.0
    assert measure.loss([], [], failure_at=9.0) == {"acknowledged": 0, "lost": 0, "rpo_s": 0.0}


def test_targets_are_the_seeds() -> None:
    assert TARGETS["database"] == {"rto_s": 3600.0, "rpo_s": 900.0}
    assert TARGETS["services"] == {"rto_s": 1800.0}
    assert TARGETS["whole_system"] == {"rto_s": 14400.0}
    assert TARGETS["keys"] == {"rpo_s": 3600.0}
    assert TARGETS["configuration"] == {"rpo_s": 0.0}


def test_judge_fails_a_category_when_any_figure_misses() -> None:
    judged = judge(
        [
            Measured("database", "rto_s", 12.0),
            Measured("database", "rpo_s", 901.0),
            Measured("configuration", "rpo_s", 0.0),
            Measured("whole_system", "rto_s", None),
        ]
    )
    assert judged["database"] == {
        "rto_s": 12.0,
        "target_rto_s": 3600.0,
        "rpo_s": 901.0,
        "target_rpo_s": 900.0,
        "pass": False,
    }
    assert judged["configuration"]["pass"] is True
    assert judged["whole_system"] == {"rto_s": None, "target_rto_s": 14400.0, "pass": False}


def test_catalogue_reads_complete_manifests_only(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    rows = [
        ("a", "database-full", "complete", "2026-01-01T00:00:00+00:00"),
        ("b", "database-incremental", "complete", "2026-01-01T00:00:05+00:00"),
        ("c", "database-incremental", "failed", "2026-01-01T00:00:09+00:00"),
        ("d", "config", "complete", "2026-01-01T00:00:07+00:00"),
    ]
    for ident, kind, status, at in rows:
        body = {"id": ident, "kind": kind, "status": status, "created_at": at, "covers_until": at}
        (manifests / f"{ident}.json").write_text(json.dumps(body))
    (manifests / "partial.json").write_text("{")
    assert [p.id for p in catalogue(tmp_path)] == ["a", "b", "d"]
    newest = newest_point(tmp_path, ("database-full", "database-incremental"))
    assert newest == catalogue(tmp_path, ("database-incremental",))[0].covers_until


def test_destroying_proves_it_and_refuses_nothing_to_destroy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "nsl.db").write_bytes(b"x")
    evidence = failures.remove_files([data / "nsl.db", data / "nsl.db-wal"])
    assert evidence == {"removed": [str(data / "nsl.db")], "exist_after": False}
    with pytest.raises(failures.NotDestroyed):
        failures.remove_files([data / "nsl.db"])
    (data / "f").write_text("y")
    assert failures.wipe_dir(data)["exists_after"] is False and not data.exists()
    with pytest.raises(failures.NotDestroyed):
        failures.wipe_dir(data)


def test_step_log_records_durations_and_errors() -> None:
    log = StepLog()
    with log.step("ok", n=1) as entry:
        entry["extra"] = True
    with pytest.raises(ValueError), log.step("bad"):
        raise ValueError("boom")
    assert [s["step"] for s in log.steps] == ["ok", "bad"]
    assert log.steps[0]["extra"] is True and log.steps[0]["n"] == 1
    assert "boom" in str(log.steps[1]["error"]) and "duration_s" in log.steps[1]
