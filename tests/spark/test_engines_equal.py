"""Issue 13: `ler run --engine spark` publishes what `ler run` (DuckDB) publishes.

The hand-built state (tests/test_outcome_rules.py) and the worked example v2 each go through both
engines on the same landing zone: every marts and reporting table of warehouse.duckdb, every table
of published.duckdb and every export file (CSV, codebook) must be equal cell for cell (types and
column order included; the run's own id and times aside). Run by `make test-spark` in the spark
extra's venv (LER_TEST_SPARK=1; make test does not collect this folder).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.spark.compare import differences
from tests.support.pipeline import ler_run, query
from tests.support.scenarios import Scenario, build_once

pytestmark = pytest.mark.e2e


def _spark_twin(tmp_path_factory: pytest.TempPathFactory, name: str, duckdb_run: Scenario) -> Scenario:
    """The landing zone of `duckdb_run` through `ler run --engine spark` (built once per session)."""

    def build(s: Scenario) -> None:
        shutil.copytree(duckdb_run.landing, s.landing, copy_function=shutil.copy2)
        proc = ler_run(s.landing, s.warehouse, "--engine", "spark")
        s.record_output(proc.stdout, proc.stderr)

    return build_once(tmp_path_factory, name, build)


@pytest.fixture(scope="session")
def rules_pair(rules_run: Scenario, tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Scenario]:
    return rules_run, _spark_twin(tmp_path_factory, "rules_spark", rules_run)


@pytest.fixture(scope="session")
def example_v2_pair(
    example_v2_run: Scenario, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Scenario, Scenario]:
    return example_v2_run, _spark_twin(tmp_path_factory, "example_v2_spark", example_v2_run)


@pytest.fixture(params=["rules_pair", "example_v2_pair"])
def pair(request: pytest.FixtureRequest) -> tuple[Scenario, Scenario]:
    return request.getfixturevalue(request.param)


def test_the_spark_run_was_built_by_spark(pair: tuple[Scenario, Scenario]) -> None:
    duck, spark = pair
    reporting = spark.warehouse / "spark" / "warehouse" / "reporting.db"
    assert sorted(p.name for p in reporting.iterdir()) == [
        "program_outcomes",
        "run_metadata",
        "statewide_outcomes",
        "statewide_outcomes_by_group",
        "wpell_program_outcomes",
    ]
    assert list((reporting / "program_outcomes").glob("*.parquet")), "Spark wrote no Parquet"
    assert not (duck.warehouse / "spark").exists()
    (settings,) = query(spark.db, "select settings from marts.run_metadata")[0:1]
    assert json.loads(settings[0])["engine"] == "spark"


def test_every_marts_and_reporting_table_equal(pair: tuple[Scenario, Scenario]) -> None:
    duck, spark = pair
    n_rows = query(duck.db, "select count(*) from marts.program_outcomes")[0][0]
    assert n_rows > 0
    assert differences(duck.db, spark.db) == []


def test_publication_and_exports_equal(pair: tuple[Scenario, Scenario]) -> None:
    duck, spark = pair
    assert differences(duck.published, spark.published, schemas=("reporting",)) == []
    duck_exports, spark_exports = duck.warehouse / "exports", spark.warehouse / "exports"
    names = sorted(p.name for p in duck_exports.iterdir())
    assert names == sorted(p.name for p in spark_exports.iterdir())
    assert "codebook.csv" in names and "program_outcomes.csv" in names
    for name in names:
        if name.endswith(".csv") and not name.startswith("run_metadata"):
            assert (spark_exports / name).read_bytes() == (duck_exports / name).read_bytes(), name
