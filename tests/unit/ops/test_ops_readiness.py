"""The readiness generator against the live catalogue, a test tree and a JUnit report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nsl.cli.main import app
from nsl.core.catalogue import CATALOGUE
from nsl.ops.readiness import GATEWAY, SEED, build_report
from nsl.ops.readiness_render import render_json, render_markdown

REPO = Path(__file__).resolve().parents[3]


def tree(root: Path) -> Path:
    """A repository with one integration, one unit and one e2e test file for ``keys``."""
    for name, text in {
        "tests/integration/keys/test_k_flow.py": "def test_a(): pass\n",
        "tests/unit/keys/test_k_rules.py": "def test_b(): pass\n",
        "tests/unit/keys/helpers.py": "",  # not a test file
        "tests/e2e/test_k_e2e.py": (
            "from nsl.client import Client\n"
            "def test_c(url):\n"
            "    with Client(url) as c:\n"
            "        c.sign('k', b'x')\n"
        ),
        "tests/e2e/test_unrelated.py": "def test_d(key):\n    key.public_key()\n",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="5">
<testcase classname="tests.integration.keys.test_k_flow" name="test_a" />
<testcase classname="tests.unit.keys.test_k_rules" name="test_b"><failure message="x"/></testcase>
<testcase classname="tests.e2e.test_k_e2e.TestGroup" name="test_c"><skipped message="y"/></testcase>
<testcase classname="tests.e2e.test_k_e2e" name="test_e"><error message="z"/></testcase>
<testcase classname="tests.e2e.test_unrelated" name="test_d" />
</testsuite></testsuites>
"""


def test_every_catalogue_entry_is_reported_with_its_phase_and_routes() -> None:
    rows = {row.name: row for row in build_report(REPO)}
    for entry in CATALOGUE:
        row = rows[entry.name]
        assert (row.phase, row.built) == (entry.phase, True)
        assert row.routes is not None and row.routes > 0, entry.name
    gateway = rows[GATEWAY]
    # /health, /health/live, /health/ready, /api/info, /metrics
    assert gateway.built and gateway.routes is not None and gateway.routes >= 5


def test_seed_services_outside_the_catalogue_are_not_built() -> None:
    rows = {row.name: row for row in build_report(REPO)}
    registered = {e.name for e in CATALOGUE} | {GATEWAY}
    for seed in SEED:
        row = rows[seed.name]
        assert row.seed_name == seed.seed_name
        assert row.built is (seed.name in registered)
        if not row.built:
            assert (row.routes, row.tests, row.results) == (None, {}, None)
            assert row.as_dict()["status"] == "not built"


def test_without_a_run_tests_are_present_never_passing() -> None:
    rows = build_report(REPO)
    states = {row.test_state for row in rows if row.built}
    assert states <= {"present", "none"}
    assert "present" in states
    text = render_markdown(rows)
    assert "passed" not in text.split("## Test files")[0].split("|---")[1]
    assert "no results are claimed without a run" in text


def test_test_files_come_from_the_tree_and_e2e_client_calls(tmp_path: Path) -> None:
    rows = {row.name: row for row in build_report(tree(tmp_path))}
    assert rows["keys"].tests == {
        "integration": ["tests/integration/keys/test_k_flow.py"],
        "unit": ["tests/unit/keys/test_k_rules.py"],
        "e2e": ["tests/e2e/test_k_e2e.py"],
    }
    assert rows["audit"].tests == {"integration": [], "unit": [], "e2e": []}
    assert rows["audit"].test_state == "none"


def test_junit_results_are_counted_per_service(tmp_path: Path) -> None:
    root = tree(tmp_path)
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    rows = {row.name: row for row in build_report(root, junit)}
    results = rows["keys"].results
    assert results is not None
    assert results.as_dict() == {"passed": 1, "failed": 2, "skipped": 1}
    assert rows["keys"].test_state == "1 passed, 2 failed, 1 skipped"
    assert rows["audit"].test_state == "none"
    assert "| 1 passed, 2 failed, 1 skipped |" in render_markdown(list(rows.values()), "junit.xml")
    document = json.loads(render_json(list(rows.values())))
    keys = next(s for s in document["services"] if s["name"] == "keys")
    assert keys["results"] == {"passed": 1, "failed": 2, "skipped": 1}


def test_a_service_with_tests_missing_from_the_run_says_so(tmp_path: Path) -> None:
    root = tree(tmp_path)
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>')
    rows = {row.name: row for row in build_report(root, junit)}
    assert rows["keys"].test_state == "not in the run"


@pytest.mark.parametrize("content", ["not xml at all", "<html><body/></html>"])
def test_readiness_command_refuses_a_file_that_is_not_junit(tmp_path: Path, content: str) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(content)
    result = CliRunner().invoke(
        app, ["readiness", "--root", str(tree(tmp_path)), "--junit", str(junit)]
    )
    assert result.exit_code == 2


def test_readiness_command_refuses_a_root_without_tests(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["readiness", "--root", str(tmp_path)])
    assert result.exit_code == 2


def test_readiness_command_writes_markdown(tmp_path: Path) -> None:
    output = tmp_path / "readiness.md"
    result = CliRunner().invoke(
        app, ["readiness", "--root", str(tree(tmp_path)), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert text.startswith("# Service readiness")
    for entry in CATALOGUE:
        assert f"| {entry.name} | {entry.phase} " in text
    registered = {e.name for e in CATALOGUE} | {GATEWAY}
    for seed in SEED:
        row = next(line for line in text.splitlines() if line.startswith(f"| {seed.name} |"))
        assert f"| {seed.seed_name} | {seed.readiness} |" in row
        assert ("| not built |" in row) is (seed.name not in registered)
