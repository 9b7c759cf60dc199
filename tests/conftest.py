"""Shared fixtures: the end-to-end scenarios (each built once per session) and the third-party files.

The scenarios are real `ler run`s (Dagster, dbt, DuckDB) on small landing zones with hand-checked
numbers; `tests/support/scenarios.py` builds each once even under pytest-xdist, and tests that change
a warehouse work on a copy. The worked examples ship in `tests/fixtures/`, so the acceptance tests run
on a clone without `../shared`; the real third-party files are read from `../shared/realdata`
(skipped cleanly when absent).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dagster_project.project_paths import PROJECT_DIR
from tests.support.pipeline import ler_run
from tests.support.scenarios import Scenario, build_once

# tests/spark (both engines, cell for cell) needs the spark extra's venv and runs under `make
# test-spark` only (LER_TEST_SPARK=1): make test does not collect it.
collect_ignore = [] if os.environ.get("LER_TEST_SPARK") else ["spark"]
SHARED_DIR = Path(os.environ.get("LER_SHARED_DIR", PROJECT_DIR.parent / "shared"))
REALDATA_DIR = SHARED_DIR / "realdata"
FIXTURES_DIR = Path(__file__).parent / "fixtures"
# Settings of the "lagged" run of the hand-built state: each changes the rule it names.
LAGGED_FLAGS = ("--wage-lag-quarters", "1", "--min-cell", "3", "--min-annual-earnings", "20000")


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    if not REALDATA_DIR.is_dir():
        pytest.skip(f"real third-party files not present at {REALDATA_DIR}")
    return REALDATA_DIR


SHARED_EXAMPLES = {"v1": "example", "v2": "example_v2"}


def _example(version: str) -> Path:
    """A worked example (landing/ and expected/): the copy in tests/fixtures, else ../shared/spec."""
    for folder in (FIXTURES_DIR / f"example_{version}", SHARED_DIR / "spec" / SHARED_EXAMPLES[version]):
        if (folder / "landing").is_dir():
            return folder
    pytest.skip(f"worked example {version} not present in tests/fixtures or {SHARED_DIR}/spec")


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return _example("v1")


@pytest.fixture(scope="session")
def example_v2_dir() -> Path:
    return _example("v2")


def _run_into(scenario: Scenario, *flags: str) -> None:
    started = time.monotonic()
    proc = ler_run(scenario.landing, scenario.warehouse, *flags)
    scenario.record_output(proc.stdout, proc.stderr)
    (scenario.root / "seconds").write_text(f"{time.monotonic() - started:.1f}")


def _hand_built(scenario: Scenario) -> None:
    from tests.test_outcome_rules import build_scenario

    build_scenario(scenario.landing)


@pytest.fixture(scope="session")
def rules_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The hand-built state of tests/test_outcome_rules.py through `ler run` with default settings."""

    def build(s: Scenario) -> None:
        _hand_built(s)
        _run_into(s)

    return build_once(tmp_path_factory, "rules", build)


@pytest.fixture(scope="session")
def rules_lagged_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The same state through `ler run` with LAGGED_FLAGS (lag 1, min cell 3, min earnings 20,000)."""

    def build(s: Scenario) -> None:
        _hand_built(s)
        _run_into(s, *LAGGED_FLAGS)

    return build_once(tmp_path_factory, "rules_lagged", build)


def _example_run(tmp_path_factory: pytest.TempPathFactory, version: str, source: Path) -> Scenario:
    def build(s: Scenario) -> None:
        shutil.copytree(source / "landing", s.landing, copy_function=shutil.copy2)
        _run_into(s)

    return build_once(tmp_path_factory, f"example_{version}", build)


@pytest.fixture(scope="session")
def example_run(example_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _example_run(tmp_path_factory, "v1", example_dir)


@pytest.fixture(scope="session")
def example_v2_run(example_v2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return _example_run(tmp_path_factory, "v2", example_v2_dir)
