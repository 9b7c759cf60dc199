"""A run that finds nothing new does nothing (dagster_project/run_skip.py, docs/reporting_rules.md §9).

The rule and the digest are unit-tested; end to end, `ler run` on the session's hand-built state
(built by one `ler run` with the same landing zone, settings and code) ends at once, prints so,
exits 0 and changes nothing: the publication, the warehouse and the state file stay as they were.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dagster_project import run_skip
from dagster_project.settings import Settings
from tests.support.pipeline import TEST_KEY, ler_run
from tests.support.scenarios import Scenario

DAY = date(2026, 12, 2)


def _settings(landing: Path, warehouse: Path, **overrides: object) -> Settings:
    values = {"landing_dir": landing, "warehouse_dir": warehouse, "hash_key": TEST_KEY} | overrides
    return Settings.load(values, environ={})


@pytest.fixture
def zone(tmp_path: Path) -> tuple[Path, Path]:
    landing = tmp_path / "landing"
    (landing / "wages").mkdir(parents=True)
    (landing / "wages" / "ui_wages_2025Q1_20250515.csv").write_text("a,b\n1,2\n")
    return landing, tmp_path / "wh"


def test_the_digest_changes_with_files_settings_key_and_day(zone: tuple[Path, Path]) -> None:
    landing, wh = zone
    base = run_skip.inputs_digest(_settings(landing, wh), DAY)
    assert run_skip.inputs_digest(_settings(landing, wh), DAY) == base  # deterministic
    assert run_skip.inputs_digest(_settings(landing, wh), date(2026, 12, 3)) != base
    assert run_skip.inputs_digest(_settings(landing, wh, min_cell=3), DAY) != base
    assert run_skip.inputs_digest(_settings(landing, wh, hash_key=TEST_KEY + "x"), DAY) != base
    assert run_skip.inputs_digest(_settings(landing, wh.with_name("other")), DAY) != base
    f = landing / "wages" / "ui_wages_2025Q1_20250515.csv"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # the same bytes, rewritten
    assert run_skip.inputs_digest(_settings(landing, wh), DAY) != base
    (landing / "wages" / "ui_wages_2025Q2_20250815.csv").write_text("a,b\n")
    assert run_skip.inputs_digest(_settings(landing, wh), DAY) != base


def test_only_a_run_that_published_the_same_inputs_is_nothing_new(tmp_path: Path) -> None:
    assert not run_skip.nothing_new(None, "d", True)
    succeeded = {"status": run_skip.SUCCEEDED, "inputs_digest": "d", "run_id": "r"}
    assert run_skip.nothing_new(succeeded, "d", True)
    assert not run_skip.nothing_new(succeeded, "other", True)
    assert not run_skip.nothing_new(succeeded, "d", False)  # no publication in place
    assert not run_skip.nothing_new(succeeded | {"status": run_skip.RUNNING}, "d", True)  # killed or failed
    run_skip.write_state(tmp_path, "d", run_skip.RUNNING, "r1")
    assert run_skip.read_state(tmp_path) == {"status": "running", "inputs_digest": "d", "run_id": "r1"}
    (tmp_path / run_skip.STATE_NAME).write_text("{not json")
    assert run_skip.read_state(tmp_path) is None
    assert [p.name for p in tmp_path.iterdir()] == [run_skip.STATE_NAME]  # no temporary left


@pytest.mark.e2e
def test_a_run_with_nothing_new_ends_at_once_and_changes_nothing(rules_run: Scenario) -> None:
    state_file = rules_run.warehouse / run_skip.STATE_NAME
    state = run_skip.read_state(rules_run.warehouse)
    assert state is not None and state["status"] == run_skip.SUCCEEDED
    built_on = datetime.fromtimestamp(state_file.stat().st_mtime, tz=UTC).date()
    if built_on != datetime.now(UTC).date():
        pytest.skip("the session crossed midnight UTC: the first run of a day always runs")
    current = (rules_run.warehouse / "publications" / "current").resolve()
    before = {p: p.stat().st_mtime_ns for p in (state_file, rules_run.db, current / "published.duckdb")}
    started = time.monotonic()
    proc = ler_run(rules_run.landing, rules_run.warehouse)
    seconds = time.monotonic() - started
    assert f"nothing new since run {state['run_id']}" in proc.stdout
    assert "nothing rebuilt or published" in proc.stdout
    assert seconds < 10, f"a run with nothing new took {seconds:.1f} s"
    assert (rules_run.warehouse / "publications" / "current").resolve() == current
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_the_cli_starts_without_dagster() -> None:
    """`ler` imports Dagster only for the commands that use it (a run that does work, `ler status`):
    the fast path above, `ler query`, `ler validate` and the rest start in a fraction of a second."""
    import subprocess
    import sys

    code = "import sys, dagster_project.cli; print([m for m in ('dagster', 'dbt') if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
