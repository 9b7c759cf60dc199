"""End to end through Dagster: `ler run` on the hand-built state and on the worked examples.

The runs are the real command (real DuckDB, real dbt, real Dagster materialization) in a subprocess,
as an operator or the scheduler would call it; each scenario is built once per session (conftest.py).
A rerun of the same landing zone is checked in test_crash_safety.py, after the killed runs.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.expected import GRAINS, compare_table
from tests.support.pii import collect_person_data, scan_outputs
from tests.support.pipeline import TEST_KEY, ler_command, ler_run, query, rows_as_dicts
from tests.support.scenarios import Scenario

pytestmark = pytest.mark.e2e
REPORTING_TABLES = {
    "wpell_program_outcomes",
    "program_outcomes",
    "statewide_outcomes",
    "statewide_outcomes_by_group",
    "run_metadata",
}


def test_ler_run_reports_where_the_outputs_are(rules_run: Scenario) -> None:
    wh, stdout = rules_run.warehouse, rules_run.output["stdout"]
    assert "ler run: done" in stdout
    assert str(wh / "published.duckdb") in stdout and str(wh / "exports") in stdout


def test_dbt_keeps_a_plain_info_log_and_no_json_artifacts_by_default(rules_run: Scenario) -> None:
    target = rules_run.warehouse / ".tmp" / "dbt-target"
    log = (target / "dbt.log").read_text()
    assert "int_wages__records" in log and "[debug]" not in log
    assert not log.lstrip().startswith("{") and "\x1b[" not in log  # plain text, no colour codes
    assert not (target / "run_results.json").exists() and not (target / "manifest.json").exists()


def test_published_database_holds_only_the_reporting_schema(rules_run: Scenario) -> None:
    wh = rules_run.warehouse
    tables = query(
        wh / "published.duckdb",
        "select table_schema, table_name from information_schema.tables order by 1, 2",
    )
    assert {s for s, _t in tables} == {"reporting"}
    assert {t for _s, t in tables} == REPORTING_TABLES


def test_exports_match_the_published_tables(rules_run: Scenario) -> None:
    wh = rules_run.warehouse
    for table in REPORTING_TABLES:
        published = query(wh / "published.duckdb", f"select count(*) from reporting.{table}")[0][0]
        con = duckdb.connect()
        parquet = con.execute(f"select count(*) from read_parquet('{wh / 'exports' / (table + '.parquet')}')")
        parquet_rows = parquet.fetchall()[0][0]
        csv_rows = con.execute(
            f"select count(*) from read_csv('{wh / 'exports' / (table + '.csv')}')"
        ).fetchall()
        con.close()
        assert parquet_rows == published == csv_rows[0][0]


def test_hand_checked_numbers_through_dagster(rules_run: Scenario) -> None:
    wh = rules_run.warehouse
    (row,) = rows_as_dicts(
        wh / "published.duckdb", "select * from reporting.wpell_program_outcomes where program_id = 'WELD'"
    )
    # §8 v2: n_excluded (1) is hidden, so n_cohort is too (rule 3); n_placed_180 (9) is hidden, so
    # placement_rate follows it (rule 4); the eligibility decision is never hidden
    assert (row["n_cohort"], row["n_completers_150"], row["completion_rate"]) == (None, 11, 0.8462)
    assert (row["n_placement_base"], row["placement_rate"], row["status"]) == (10, None, "ELIGIBLE")
    (row,) = rows_as_dicts(
        wh / "warehouse.duckdb", "select * from marts.wpell_program_outcomes where program_id = 'WELD'"
    )
    assert (row["n_cohort"], row["n_placed_180"], row["placement_rate"]) == (14, 9, 0.9)
    (row,) = rows_as_dicts(
        wh / "warehouse.duckdb", "select * from marts.wpell_program_outcomes where program_id = 'CNA16'"
    )
    assert (row["n_earnings_y3"], row["value_added_earnings"], row["meets_vae"]) == (16, 12130.0, True)
    (row,) = rows_as_dicts(
        wh / "warehouse.duckdb",
        "select * from marts.program_outcomes where program_id = 'WELD' and completion_year = '2021-22'",
    )
    assert (row["n_completers"], row["n_unmatchable"], row["top_industry_q4"]) == (12, 1, "54")


def test_no_person_data_in_any_output_or_log(rules_run: Scenario) -> None:
    data = collect_person_data(rules_run.landing)
    assert len(data.ssns) > 100 and data.names and data.birth_dates  # the scan has something to find
    output = rules_run.output
    assert scan_outputs(rules_run.warehouse, data, extra_text=output["stdout"] + output["stderr"]) == []


def test_output_permissions(rules_run: Scenario) -> None:
    wh = rules_run.warehouse
    assert stat.S_IMODE((wh / "warehouse.duckdb").stat().st_mode) == 0o600
    assert stat.S_IMODE((wh / "published.duckdb").stat().st_mode) == 0o644
    assert stat.S_IMODE((wh / "lake").stat().st_mode) == 0o700


def test_run_metadata_records_the_run(rules_run: Scenario) -> None:
    wh = rules_run.warehouse
    (meta,) = rows_as_dicts(wh / "warehouse.duckdb", "select * from marts.run_metadata")
    assert len(meta["run_id"]) == 36 and meta["started_at"] <= meta["finished_at"]
    settings = json.loads(meta["settings"])
    assert settings["min_cell"] == 10 and settings["wage_lag_quarters"] == 0
    assert TEST_KEY not in json.dumps(settings)
    assert (meta["files_quarantined"], meta["wage_data_through"]) == (0, "2025Q2")


def test_run_refuses_without_hash_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LER_")}
    (tmp_path / "landing").mkdir()
    proc = subprocess.run(
        ler_command("run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "wh")),
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "LER_HASH_KEY" in proc.stderr
    assert not (tmp_path / "wh").exists()


def test_run_fails_non_zero_when_the_pipeline_fails(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "providers.csv").write_text("provider_id,provider_name,provider_type\n")
    layout = tmp_path / "broken_layout.json"
    layout.write_text("{not json")
    (landing / "wages").mkdir()
    (landing / "wages" / "w_20250101.txt").write_text("A" + " " * 274 + "\n")
    proc = ler_run(landing, tmp_path / "wh", env={"LER_ICESA_LAYOUT": str(layout)}, check=False)
    assert proc.returncode == 1 and "FAILED" in proc.stderr


# -- the worked examples (tests/fixtures; built once per session in conftest.py) ---------------------
@pytest.mark.parametrize("table", sorted(GRAINS))
def test_example_outcomes_match_expected(example_run: Scenario, example_dir: Path, table: str) -> None:
    problems = compare_table(example_run.db, "marts", table, example_dir / "expected" / f"{table}.csv")
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("table", sorted(GRAINS))
def test_example_v2_outcomes_match_expected(
    example_v2_run: Scenario, example_v2_dir: Path, table: str
) -> None:
    expected = example_v2_dir / "expected" / f"{table}.csv"
    problems = compare_table(example_v2_run.db, "marts", table, expected)
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_example_file_statuses(version: str, request: pytest.FixtureRequest) -> None:
    run: Scenario = request.getfixturevalue("example_run" if version == "v1" else "example_v2_run")
    example_dir: Path = request.getfixturevalue("example_dir" if version == "v1" else "example_v2_dir")
    expect = json.loads((example_dir / "expected" / "load_expectations.json").read_text())
    manifest = {r["file_name"]: r for r in rows_as_dicts(run.db, "select * from audit.load_manifest")}
    assert {n for n, r in manifest.items() if r["status"] == "QUARANTINED"} == set(
        expect["expect_quarantined"]
    )
    assert {n for n, r in manifest.items() if r["status"] == "DUPLICATE"} == set(expect["expect_duplicate"])
    for name, rejected in expect["expect_rejects"].items():
        assert (manifest[name]["status"], manifest[name]["rows_rejected"]) == (
            "LOADED_WITH_REJECTS",
            rejected,
        )
    for r in manifest.values():
        assert r["rows_read"] == r["rows_loaded"] + r["rows_rejected"] + r["rows_duplicate"]
    (meta,) = rows_as_dicts(run.db, "select * from marts.run_metadata")
    assert [meta["wage_data_through_year"], meta["wage_data_through_quarter"]] == expect["wage_data_through"]
    assert len(query(run.db, "select * from audit.load_manifest")) == sum(
        1 for p in run.landing.rglob("*") if p.is_file()
    )


def test_example_outputs_hold_no_person_data(example_run: Scenario) -> None:
    data = collect_person_data(example_run.landing)
    assert scan_outputs(example_run.warehouse, data) == []
