"""A run killed at any moment leaves a whole publication, and the next run completes
(docs/submission_manual.md §5, docs/reporting_rules.md §9; the layout is docs/reporting_rules.md §9).

The run is killed (SIGKILL to its process group, as a scheduler or an operator would) at three
observable moments (while ingestion builds the lake, while dbt writes the warehouse, and, in the
lock test, while the publish step writes the new publication's database) and at random moments over
a whole run's length. After each kill, published.duckdb and exports/ must be readable and come from
the same run: the previous one, or, when the kill came after the new run's switch, the new one,
whole. "The same run" is checked three ways: `publications/current` names one folder, both paths
users know resolve into it, and the run its `publication.json` names is the newest run in its
database and in its exports. Then a second run started while one holds the warehouse is refused at
once, naming the holder (docs/reporting_rules.md §9: one run at a time); the holder is killed; and a
run on the same landing zone takes its stale lock over, completes, cleans up what the killed runs
left, and changes no outcome (a rerun is idempotent).

Each test works on its own copy of the session's hand-built run (conftest.py) and shares no state
with the others, so pytest-xdist may run them on different workers. `LER_TEST_KILLS` (default 3 in
`make test`; `make test-crash` kills 25 times) sets the number of random moments and
`LER_TEST_SEED` makes them repeatable; the seed is in every failure message.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dagster_project.publication import DEFAULT_KEEP_PUBLICATIONS
from tests.support.expected import GRAINS
from tests.support.pipeline import ler_run, query, start_ler_run
from tests.support.scenarios import Scenario, copy_scenario

pytestmark = pytest.mark.e2e
TABLES = ("wpell_program_outcomes", "program_outcomes", "statewide_outcomes", "run_metadata")
SEED = int(os.environ.get("LER_TEST_SEED") or random.SystemRandom().randrange(1 << 30))
KILLS = int(os.environ.get("LER_TEST_KILLS", "3"))
NEWEST_RUN = "select run_id from {} order by finished_at desc limit 1"


def published_state(wh: Path) -> dict[str, list[tuple]]:
    """Every published table and its Parquet export, as rows (the export must open and read)."""
    state = {t: query(wh / "published.duckdb", f"select * from reporting.{t} order by all") for t in TABLES}
    for t in TABLES:
        state[f"exports/{t}.parquet"] = query(
            wh / "published.duckdb",
            "select * from read_parquet(?) order by all",
            [str(wh / "exports" / (t + ".parquet"))],
        )
    return state


def assert_one_publication(wh: Path, where: str) -> str:
    """The paths users know resolve into `publications/current`, and its database, its exports and
    its publication.json are of one run; returns that run id."""
    current = (wh / "publications" / "current").resolve(strict=True)
    assert (wh / "published.duckdb").resolve(strict=True) == current / "published.duckdb", where
    assert (wh / "exports").resolve(strict=True) == current / "exports", where
    run_id = json.loads((current / "publication.json").read_text())["run_id"]
    in_db = query(wh / "published.duckdb", NEWEST_RUN.format("reporting.run_metadata"))[0][0]
    exports = str(wh / "exports" / "run_metadata.parquet")
    in_exports = query(wh / "published.duckdb", NEWEST_RUN.format("read_parquet(?)"), [exports])[0][0]
    assert run_id == in_db == in_exports, where
    return run_id


def publishing(wh: Path) -> Callable[[], bool]:
    """The new publication's database is being written, in a folder nothing points to yet."""
    return lambda: any(wh.glob("publications/.building-*/published.duckdb"))


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


def lock_holder_pid(wh: Path) -> int | None:
    try:
        return json.loads((wh / ".lock").read_text() or "null")["pid"]
    except (OSError, ValueError, TypeError, KeyError):
        return None


@pytest.fixture
def crash_zone(rules_run: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A private copy of the hand-built run, its published state, and how long a whole run took."""
    zone = copy_scenario(rules_run, tmp_path_factory.mktemp("crash"))
    seconds = float((rules_run.root / "seconds").read_text())
    assert_one_publication(zone.warehouse, "the copied run")
    return {"zone": zone, "before": published_state(zone.warehouse), "run_seconds": seconds}


@pytest.mark.parametrize("moment", ["ingestion", "dbt"])  # publish: the lock test below
def test_killed_run_leaves_previous_outputs_intact(crash_zone: dict, moment: str) -> None:
    zone: Scenario = crash_zone["zone"]
    wh = zone.warehouse
    probes = {
        "ingestion": lambda: any(wh.joinpath("lake").glob(".build-*")),
        "dbt": lambda: (wh / "warehouse.duckdb.wal").exists(),
    }
    killed = kill_when(start_ler_run(zone.landing, wh), probes[moment])
    assert killed, f"the run finished before reaching {moment}"
    assert published_state(wh) == crash_zone["before"]
    assert_one_publication(wh, f"killed during {moment}")


def test_killed_at_random_moments(crash_zone: dict) -> None:
    zone: Scenario = crash_zone["zone"]
    rng = random.Random(SEED)
    moments = sorted(rng.uniform(0.2, 0.95 * crash_zone["run_seconds"]) for _ in range(KILLS))
    for at in moments:
        # --rebuild: every kill hits a real run, also after a run that finished (run_skip.py)
        killed = kill_when(start_ler_run(zone.landing, zone.warehouse, "--rebuild"), after_seconds(at))
        state = published_state(zone.warehouse)  # opens and reads every published table and export
        where = f"(seed {SEED}, {'killed' if killed else 'finished'} at {at:.2f} s)"
        if state != crash_zone["before"]:
            # only a run that got past its publish step may change the publication, and then whole
            assert state["run_metadata"] != crash_zone["before"]["run_metadata"], where
            crash_zone["before"] = state
        # the database and the exports of the publication come from the same run
        for table in TABLES:
            assert state[table] == state[f"exports/{table}.parquet"], f"{table} {where}"
        assert_one_publication(zone.warehouse, where)


def test_a_second_run_is_refused_and_the_next_takes_the_stale_lock_over(
    crash_zone: dict, rules_run: Scenario
) -> None:
    zone: Scenario = crash_zone["zone"]
    wh = zone.warehouse
    first = start_ler_run(zone.landing, wh)
    try:
        deadline = time.monotonic() + 60
        while lock_holder_pid(wh) != first.pid:
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.02)
        started = time.monotonic()
        second = ler_run(zone.landing, wh, check=False)
        seconds = time.monotonic() - started
        assert second.returncode == 1, second.stderr
        assert f"pid {first.pid}" in second.stderr and "in use by another run" in second.stderr
        assert seconds < 10, f"the second run took {seconds:.1f} s to give up"
        assert "Traceback" not in second.stderr and first.poll() is None  # the first one runs on
        # killed holding the lock while it writes its publication's database, in a folder nothing
        # points to yet: the outputs stay those of the previous run, and the next run must take
        # the stale lock over and clean the half-built publication up
        assert kill_when(first, publishing(wh)), "the first run finished before its publish step"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert published_state(wh) == crash_zone["before"]
    assert_one_publication(wh, "killed during publish")
    assert list((wh / "publications").glob(".building-*")), "nothing half-built was left to clean up"
    # the next run takes the stale lock over, completes, cleans up and changes no outcome
    runs_before = query(wh / "warehouse.duckdb", "select count(*) from marts.run_metadata")[0][0]
    proc = ler_run(zone.landing, wh)
    took_over = "taking over the warehouse lock of a run that ended without releasing it"
    assert f"{took_over} (pid {first.pid}," in proc.stderr
    after = published_state(wh)
    for table in TABLES[:3]:
        assert after[table] == crash_zone["before"][table], table
    assert after["run_metadata"] != crash_zone["before"]["run_metadata"]  # a new publication
    # the warehouse equals that of the first run: rerunning a landing zone changes no outcome, no
    # suppressed cell, no spell, no wage, no manifest row or rejected row (file paths aside: a copy)
    rerun_tables = [f"{schema}.{t}" for schema in ("marts", "reporting") for t in GRAINS]
    rerun_tables += ["marts.fct_enrollment_spells", "intermediate.int_wages__records", "audit.rejected_rows"]
    for table in rerun_tables:
        sql = f"select * from {table} order by all"
        assert query(wh / "warehouse.duckdb", sql) == query(rules_run.db, sql), table
    sql = "select * exclude (file_path) from audit.load_manifest order by all"
    assert query(wh / "warehouse.duckdb", sql) == query(rules_run.db, sql)
    assert query(wh / "warehouse.duckdb", "select count(*) from marts.run_metadata")[0][0] == runs_before + 1
    # cleaned up: no half-built publication, no link temporaries, at most the kept publications,
    # the newest one current, and the lock released
    publications = wh / "publications"
    assert not list(publications.glob(".*")) and not list(wh.glob(".link-*"))
    folders = [p for p in publications.iterdir() if not p.is_symlink()]
    assert 2 <= len(folders) <= DEFAULT_KEEP_PUBLICATIONS
    newest = max(folders, key=lambda p: json.loads((p / "publication.json").read_text())["published_at"])
    assert (publications / "current").resolve() == newest
    newest_run = query(wh / "warehouse.duckdb", NEWEST_RUN.format("marts.run_metadata"))[0][0]
    assert assert_one_publication(wh, "the final run") == newest_run
    assert (wh / ".lock").read_text() == ""
