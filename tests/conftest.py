"""Shared fixtures: the end-to-end scenarios (each built once per session) and the third-party files.

The scenarios are real `ler run`s (Dagster, dbt, DuckDB) on small landing zones with hand-checked
numbers; `tests/support/scenarios.py` builds each once even under pytest-xdist, and tests that change
a warehouse work on a copy. The worked examples ship in `tests/fixtures/`, so the acceptance tests run
on a clone without `../shared`; the real third-party files are read from `../shared/realdata`
(skipped cleanly when absent).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import shared_runs
from tests.support.scenarios import Scenario, build_once, shared_root
from tests.support.shared_runs import SHARED_DIR

# tests/spark (both engines, cell for cell) needs the spark extra's venv and runs under `make
# test-spark` only (LER_TEST_SPARK=1): make test does not collect it.
collect_ignore = [] if os.environ.get("LER_TEST_SPARK") else ["spark"]
REALDATA_DIR = SHARED_DIR / "realdata"


@pytest.fixture(scope="session", autouse=True)
def _prebuild_shared_scenarios(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One worker (gw0, or the only process) starts building the shared scenarios the collected
    tests need in the background (tests/support/shared_runs.py) and, at the end, waits for it (or
    stops it at once when the session was interrupted)."""
    if os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0":
        yield
        return
    names = shared_runs.needed(item.fixturenames for item in request.session.items)
    proc = shared_runs.start_prebuild(shared_root(tmp_path_factory), names)
    yield
    interrupted = request.session.shouldfail or request.session.shouldstop
    shared_runs.stop_prebuild(proc, wait_seconds=0 if interrupted else 600)


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    if not REALDATA_DIR.is_dir():
        pytest.skip(f"real third-party files not present at {REALDATA_DIR}")
    return REALDATA_DIR


def _example(version: str) -> Path:
    folder = shared_runs.example_folder(version)
    if folder is None:
        pytest.skip(f"worked example {version} not present in tests/fixtures or {SHARED_DIR}/spec")
    return folder


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return _example("v1")


@pytest.fixture(scope="session")
def example_v2_dir() -> Path:
    return _example("v2")


def _shared(
    tmp_path_factory: pytest.TempPathFactory, fixture: str, build: Callable[[Scenario], None]
) -> Scenario:
    """The shared scenario of `fixture`, under the name the prebuilder builds it by."""
    return build_once(tmp_path_factory, shared_runs.FIXTURES[fixture], build)


@pytest.fixture(scope="session")
def rules_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The hand-built state of tests/test_outcome_rules.py through `ler run` with default settings."""
    return _shared(tmp_path_factory, "rules_run", shared_runs.build_rules)


@pytest.fixture(scope="session")
def rules_lagged_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The same state through `ler run` with shared_runs.LAGGED_FLAGS (lag 1, min cell 3, min
    earnings 20,000)."""
    return _shared(tmp_path_factory, "rules_lagged_run", shared_runs.build_rules_lagged)


@pytest.fixture(scope="session")
def example_run(example_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _shared(tmp_path_factory, "example_run", shared_runs.example_builder(example_dir))


@pytest.fixture(scope="session")
def example_v2_run(example_v2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _shared(tmp_path_factory, "example_v2_run", shared_runs.example_builder(example_v2_dir))


# Modules that run `ler run`s of their own (kills, reruns, second nights, corpora), longest first
# (measured on the 2-core machine): `make test` hands whole modules to the workers (--dist loadfile,
# so a module's fixtures are built once), and a long module handed out last would leave one worker
# running it alone at the end.
LONG_MODULES = (
    "test_crash_safety.py",
    "test_attacker.py",
    "test_bad_input.py",
    "test_incremental_wages.py",
    "test_exports_safe.py",
    "test_failures.py",
    "test_local_ids.py",
    "test_ingest_rules.py",
    "test_consent.py",
    "test_warm_dbt.py",
    "test_pipeline_e2e.py",
    "test_dbt_unit.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long modules first, in LONG_MODULES order, then the rest in collection order."""
    rank = {name: i for i, name in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
