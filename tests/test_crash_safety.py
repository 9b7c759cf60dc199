"""A run killed at any moment leaves a whole publication, and the next run completes
(LER_SPEC.md §5, §9).

The run is killed (SIGKILL to its process group, as a scheduler or an operator would) at three
observable moments (while ingestion builds the lake, while dbt writes the warehouse, while the publish
step writes the new database) and at random moments over a whole run's length. After each kill,
published.duckdb and exports/ must be readable and come from the same run: the previous one, or,
when the kill came after the new run's publish step, the new one, whole. Then a run on the same
landing zone completes, cleans up what the killed runs left, and changes no outcome (a rerun is
idempotent).

The kills work on a copy of the session's hand-built run (conftest.py). `LER_TEST_KILLS` (default 5)
sets the number of random moments and `LER_TEST_SEED` makes them repeatable; the seed is in every
failure message.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.expected import GRAINS
from tests.support.pipeline import ler_run, query, start_ler_run
from tests.support.scenarios import Scenario, copy_scenario

pytestmark = pytest.mark.e2e
TABLES = ("wpell_program_outcomes", "program_outcomes", "statewide_outcomes", "run_metadata")
SEED = int(os.environ.get("LER_TEST_SEED") or random.SystemRandom().randrange(1 << 30))
KILLS = int(os.environ.get("LER_TEST_KILLS", "5"))


def published_state(wh: Path) -> dict[str, list[tuple]]:
    """Every published table and its Parquet export, as rows (the export must open and read)."""
    state = {t: query(wh / "published.duckdb", f"select * from reporting.{t} order by all") for t in TABLES}
    for t in TABLES:
        state[f"exports/{t}.parquet"] = query(
            wh / "published.duckdb",
            f"select * from read_parquet('{wh / 'exports' / (t + '.parquet')}') order by all",
        )
    return state


def after_seconds(seconds: float) -> Callable[[], bool]:
    started = time.monotonic()
    return lambda: time.monotonic() - started > seconds


def kill_when(proc: subprocess.Popen, seen: Callable[[], bool], timeout: float = 240) -> bool:
    """SIGKILL the run's process group as soon as `seen()`; False if the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the run neither reached the kill point nor ended")


@pytest.fixture(scope="module")
def crash_zone(rules_run: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A private copy of the hand-built run, its published state, and how long a whole run took."""
    zone = copy_scenario(rules_run, tmp_path_factory.mktemp("crash"))
    seconds = float((rules_run.root / "seconds").read_text())
    return {"zone": zone, "before": published_state(zone.warehouse), "run_seconds": seconds}


@pytest.mark.parametrize("moment", ["ingestion", "dbt", "publish"])
def test_killed_run_leaves_previous_outputs_intact(crash_zone: dict, moment: str) -> None:
    zone: Scenario = crash_zone["zone"]
    wh = zone.warehouse
    probes = {
        "ingestion": lambda: any(wh.joinpath("lake").glob(".build-*")),
        "dbt": lambda: (wh / "warehouse.duckdb.wal").exists(),
        "publish": lambda: any(wh.glob(".published-*.duckdb")),
    }
    killed = kill_when(start_ler_run(zone.landing, wh), probes[moment])
    assert killed, f"the run finished before reaching {moment}"
    assert published_state(wh) == crash_zone["before"]


def test_killed_at_random_moments(crash_zone: dict) -> None:
    zone: Scenario = crash_zone["zone"]
    rng = random.Random(SEED)
    moments = sorted(rng.uniform(0.2, 0.95 * crash_zone["run_seconds"]) for _ in range(KILLS))
    for at in moments:
        killed = kill_when(start_ler_run(zone.landing, zone.warehouse), after_seconds(at))
        state = published_state(zone.warehouse)  # opens and reads every published table and export
        where = f"(seed {SEED}, {'killed' if killed else 'finished'} at {at:.2f} s)"
        if state != crash_zone["before"]:
            # only a run that got past its publish step may change the publication, and then whole
            assert state["run_metadata"] != crash_zone["before"]["run_metadata"], where
            crash_zone["before"] = state
        # the database and the exports of the publication come from the same run
        for table in TABLES:
            assert state[table] == state[f"exports/{table}.parquet"], f"{table} {where}"


def test_next_run_completes_cleans_up_and_changes_no_outcome(crash_zone: dict, rules_run: Scenario) -> None:
    zone: Scenario = crash_zone["zone"]
    wh = zone.warehouse
    runs_before = query(wh / "warehouse.duckdb", "select count(*) from marts.run_metadata")[0][0]
    ler_run(zone.landing, wh)
    after = published_state(wh)
    for table in TABLES[:3]:
        assert after[table] == crash_zone["before"][table], table
    assert after["run_metadata"] != crash_zone["before"]["run_metadata"]  # a new publication
    # the exact tables equal those of the first run: rerunning a landing zone changes no outcome
    for table in GRAINS:
        sql = f"select * from marts.{table} order by all"
        assert query(wh / "warehouse.duckdb", sql) == query(rules_run.db, sql), table
    assert query(wh / "warehouse.duckdb", "select count(*) from marts.run_metadata")[0][0] == runs_before + 1
    assert not list(wh.glob(".published-*")) and len(list(wh.glob("exports-*"))) == 1
