"""A run killed at any point leaves the previous published outputs whole, and the next run completes
(LER_SPEC.md §5, §9).

The run is killed (SIGKILL to its process group, as a scheduler or an operator would) at three
observable moments: while ingestion builds the lake, while dbt writes the warehouse, and while the
publish step writes the new database. After each kill, published.duckdb and exports/ must be
readable and byte-for-byte the previous run's content.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.landing import LandingBuilder
from tests.support.pipeline import TEST_KEY, ler_run, query
from tests.test_outcome_rules import build_scenario, wage_file

pytestmark = pytest.mark.e2e
TABLES = ("wpell_program_outcomes", "program_outcomes", "statewide_outcomes")


def published_state(wh: Path) -> dict[str, list[tuple]]:
    state = {t: query(wh / "published.duckdb", f"select * from reporting.{t} order by all") for t in TABLES}
    for t in TABLES:
        state[f"exports/{t}.parquet"] = query(
            wh / "published.duckdb",
            f"select * from read_parquet('{wh / 'exports' / (t + '.parquet')}') order by all",
        )
    return state


def start_run(landing: Path, wh: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")} | {"LER_HASH_KEY": TEST_KEY}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "ler"), "run", "--landing", str(landing), "--warehouse", str(wh)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


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
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("crash")
    landing = build_scenario(root / "landing")
    ler_run(landing, root / "wh")
    before = published_state(root / "wh")
    # a new wage file, so a run that did publish would change the outcomes
    b = LandingBuilder(root / "extra")
    p = b.person(ssn_text="123451234")
    b.wage("x.csv", p, 2025, 2, 1.0)
    b.write()
    (landing / "wages" / wage_file(2025, 3)).write_bytes(
        (b.root / "wages" / "x.csv").read_bytes().replace(b"2025,2,", b"2025,3,")
    )
    return landing, root / "wh", before


@pytest.mark.parametrize("moment", ["ingestion", "dbt", "publish"])
def test_killed_run_leaves_previous_outputs_intact(first_run, moment: str) -> None:
    landing, wh, before = first_run
    probes = {
        "ingestion": lambda: any(wh.joinpath("lake").glob(".build-*")),
        "dbt": lambda: (wh / "warehouse.duckdb.wal").exists(),
        "publish": lambda: any(wh.glob(".published-*.duckdb")),
    }
    killed = kill_when(start_run(landing, wh), probes[moment])
    assert killed, f"the run finished before reaching {moment}"
    assert published_state(wh) == before


def test_next_run_completes_and_cleans_up(first_run) -> None:
    landing, wh, before = first_run
    ler_run(landing, wh)
    after = published_state(wh)
    assert after != before  # the new wage quarter moved wage_data_through and the outcomes
    assert not list(wh.glob(".published-*")) and len(list(wh.glob("exports-*"))) == 1
    meta = query(
        wh / "published.duckdb",
        "select wage_data_through from reporting.run_metadata order by finished_at desc limit 1",
    )
    assert meta == [("2025Q3",)]
