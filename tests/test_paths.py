"""Paths anywhere (docs/reporting_rules.md §9): a landing zone and a warehouse whose paths have
spaces, both quotes and non-ASCII letters (`it's a "test" — Zoë/ware house`) work in every step,
because no path or setting is spliced unquoted into SQL, Jinja or a shell.

One real `ler run` (tests/support/odd_paths.py, also used by tests/test_exports_safe.py): every
outcome equals the hand-built run's (only the provider and program names differ, on purpose), the
publication is whole, and the run's bookkeeping records the paths exactly.
"""

from __future__ import annotations

import json

import pytest

from tests.support.expected import GRAINS
from tests.support.odd_paths import ODD_FOLDER, odd_landing, odd_paths_run, odd_warehouse
from tests.support.pipeline import query, rows_as_dicts
from tests.support.scenarios import Scenario

pytestmark = pytest.mark.e2e
NAMES = ("provider_name", "program_name")  # made hostile on purpose (tests/test_exports_safe.py)


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return odd_paths_run(tmp_path_factory)


def test_the_paths_are_odd_and_the_run_completed(odd_run: Scenario) -> None:
    wh = odd_warehouse(odd_run)
    assert {"'", '"', " ", "ë", "—"} <= set(str(wh))
    assert ODD_FOLDER in str(odd_landing(odd_run))
    stdout = odd_run.output["stdout"]
    assert "ler run: done" in stdout and f"published (reporting schema): {wh / 'published.duckdb'}" in stdout
    for part in ("warehouse.duckdb", "lake/_audit", "logs", "publications/current/published.duckdb"):
        assert (wh / part).exists(), part


def test_every_outcome_equals_the_ordinary_run(odd_run: Scenario, rules_run: Scenario) -> None:
    db = odd_warehouse(odd_run) / "warehouse.duckdb"
    for table in sorted(GRAINS):
        columns = [r[0] for r in query(db, f"select column_name from (describe marts.{table})")]
        kept = ", ".join(c for c in columns if c not in NAMES)
        sql = f"select {kept} from marts.{table} order by all"
        got = query(db, sql)
        assert got and got == query(rules_run.db, sql), table


def test_the_publication_and_the_bookkeeping_hold_the_paths(odd_run: Scenario) -> None:
    wh = odd_warehouse(odd_run)
    (meta,) = rows_as_dicts(wh / "warehouse.duckdb", "select * from marts.run_metadata")
    settings = json.loads(meta["settings"])
    assert (settings["landing_dir"], settings["warehouse_dir"]) == (str(odd_landing(odd_run)), str(wh))
    published = query(wh / "published.duckdb", "select run_id from reporting.run_metadata")
    parquet = str(wh / "exports" / "run_metadata.parquet")
    assert published == query(wh / "published.duckdb", "select run_id from read_parquet(?)", [parquet])
    assert published == [(meta["run_id"],)]
    manifest = rows_as_dicts(wh / "warehouse.duckdb", "select file_path from audit.load_manifest")
    assert manifest and all(r["file_path"].startswith(str(odd_landing(odd_run))) for r in manifest)
