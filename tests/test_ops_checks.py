"""Operational checks (issue 10 item 7; docs/reporting_rules.md §9, "Operational checks"): wage
freshness, row-count change, crosswalk coverage. The judging rules as pure functions (quarter
arithmetic across year boundaries, thresholds at and past their limit, a zero previous count), the
warehouse reads and the ops.row_counts history on small DuckDB databases, the settings, and the
checks in the session's `ler run` of the hand-built state: they ran, did not stop the run, and
warned where its data says they should (its wage data ends in 2025Q2, long before any run date of
this suite). The row-count comparison of a second run is in tests/test_incremental_wages.py, whose
second night is that state's second run.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project import ops_data
from dagster_project.definitions import defs
from dagster_project.ops_checks import (
    CodeCoverage,
    change_pct,
    judge_coverage,
    judge_freshness,
    judge_row_count,
    quarter_index,
    quarter_label,
)
from dagster_project.settings import Settings, SettingsError
from tests.support.pipeline import TEST_KEY, query
from tests.support.run_log import latest_run_checks, latest_run_id
from tests.support.scenarios import Scenario

OPS_CHECKS = {"wage_data_fresh", "row_count_steady", "codes_mapped"}
Q2025_2 = 2025 * 4 + 1  # 8101, the hand-built state's latest wage quarter


# -- quarter arithmetic and wage freshness -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 1, 1), "2026Q1"),
        (date(2026, 3, 31), "2026Q1"),
        (date(2026, 4, 1), "2026Q2"),
        (date(2026, 9, 30), "2026Q3"),
        (date(2026, 12, 31), "2026Q4"),
        (date(2027, 1, 1), "2027Q1"),
    ],
)
def test_quarter_of_a_date(day: date, label: str) -> None:
    assert quarter_label(quarter_index(day)) == label


def test_quarter_index_is_the_warehouse_one() -> None:
    # int_wages__coverage: quarter_index = year * 4 + (quarter - 1); 8101 is 2025Q2
    assert quarter_index(date(2025, 5, 15)) == Q2025_2 and quarter_label(Q2025_2) == "2025Q2"


@pytest.mark.parametrize(
    ("latest", "run_date", "lag", "passed", "behind"),
    [
        ("2026Q3", date(2026, 12, 2), 2, True, 1),  # last quarter in: fresh
        ("2026Q2", date(2026, 12, 2), 2, True, 2),  # exactly the allowed lag
        ("2026Q1", date(2026, 12, 2), 2, False, 3),  # one past it
        ("2026Q4", date(2027, 1, 5), 2, True, 1),  # across the year boundary
        ("2026Q3", date(2027, 3, 31), 2, True, 2),
        ("2026Q2", date(2027, 1, 5), 2, False, 3),
        ("2025Q4", date(2026, 1, 1), 0, False, 1),  # lag 0: only the run's own quarter passes
        ("2026Q1", date(2026, 2, 1), 0, True, 0),
        ("2025Q2", date(2026, 12, 2), 2, False, 6),  # the hand-built state on 2 December 2026
    ],
)
def test_freshness_counts_quarters_across_years(
    latest: str, run_date: date, lag: int, passed: bool, behind: int
) -> None:
    year, q = int(latest[:4]), int(latest[-1])
    verdict = judge_freshness(year * 4 + q - 1, run_date, lag)
    assert verdict.passed is passed
    assert verdict.metadata["quarters_behind"] == behind
    assert verdict.metadata["latest_wage_quarter"] == latest
    assert verdict.metadata["run_quarter"] == quarter_label(quarter_index(run_date))
    assert f"{behind} quarter(s) before" in verdict.summary


def test_no_wage_data_and_future_wage_data_warn() -> None:
    none = judge_freshness(None, date(2026, 12, 2), 2)
    assert not none.passed and none.metadata["latest_wage_quarter"] == "none"
    future = judge_freshness(quarter_index(date(2027, 2, 1)), date(2026, 12, 2), 2)
    assert not future.passed and future.metadata["quarters_behind"] == -1
    assert "after the run's quarter 2026Q4" in future.summary


# -- row-count change ----------------------------------------------------------------------------


def test_change_in_percent_of_the_previous_count() -> None:
    assert change_pct(200, 300) == 50.0 and change_pct(300, 200) == -33.33 and change_pct(7, 7) == 0.0
    assert change_pct(0, 5) is None


@pytest.mark.parametrize(
    ("previous", "current", "passed"),
    [
        (100, 150, True),  # +50 %: the limit is "more than"
        (100, 151, False),
        (100, 50, True),  # -50 %
        (100, 49, False),
        (355, 315, True),  # the second night of the hand-built state: -11.27 %
        (0, 0, True),  # nothing then, nothing now
        (0, 1, False),  # rows where the previous run had none: no percentage measures that
        (5, 0, False),  # a table emptied: -100 %
    ],
)
def test_row_count_threshold_either_way(previous: int, current: int, passed: bool) -> None:
    verdict = judge_row_count("wage records", previous, current, 50.0, "run-1")
    assert verdict.passed is passed
    assert verdict.metadata["previous_rows"] == previous and verdict.metadata["current_rows"] == current
    assert verdict.metadata["previous_run_id"] == "run-1"
    assert f"{previous} -> {current} rows" in verdict.summary


def test_row_count_change_metadata_and_summary() -> None:
    warned = judge_row_count("wage records", 355, 315, 10.0, "run-1")
    assert not warned.passed and warned.metadata["change_pct"] == -11.27
    assert warned.summary == (
        "wage records: 355 -> 315 rows (-11.27 %), more than LER_ROW_COUNT_CHANGE_PCT = 10"
    )
    assert judge_row_count("x", 0, 3, 50.0).metadata["change_pct"] == "n/a (previous 0)"


def test_the_first_run_has_nothing_to_compare_and_passes_with_a_note() -> None:
    verdict = judge_row_count("wage records", None, 355, 50.0)
    assert verdict.passed and "no earlier published run" in verdict.summary
    assert verdict.metadata == {"current_rows": 355, "max_change_pct": 50.0, "previous_rows": "none"}


# -- crosswalk coverage --------------------------------------------------------------------------


def test_coverage_is_judged_per_code_system() -> None:
    """A PESC feed with 3 unknown codes in 20 records (15 %) warns even though, with 1,000 clean
    IPEDS records, only 0.29 % of all coded records are unmapped."""
    systems = [CodeCoverage("IPEDS_AWARD_LEVEL", 1000, 0, 0), CodeCoverage("PESC_AWARD_LEVEL", 20, 3, 2)]
    verdict = judge_coverage(systems, 5.0)
    assert not verdict.passed and "PESC_AWARD_LEVEL 15 %" in verdict.summary
    assert "IPEDS" not in verdict.summary
    assert verdict.metadata["pesc_award_level_unmapped_pct"] == 15.0
    assert verdict.metadata["pesc_award_level_unmapped_codes"] == 2
    assert (verdict.metadata["records_with_code"], verdict.metadata["unmapped_records"]) == (1020, 3)


def test_coverage_at_the_limit_passes_and_nothing_coded_passes() -> None:
    assert judge_coverage([CodeCoverage("OB3_ACHIEVEMENT_TYPE", 100, 5, 1)], 5.0).passed
    assert not judge_coverage([CodeCoverage("OB3_ACHIEVEMENT_TYPE", 100, 6, 1)], 5.0).passed
    empty = judge_coverage([], 5.0)
    assert empty.passed and empty.metadata["records_with_code"] == 0


def test_check_metadata_holds_counts_percentages_and_labels_only() -> None:
    verdicts = [
        judge_coverage([CodeCoverage("PESC_AWARD_LEVEL", 20, 3, 2)], 5.0),
        judge_row_count("wage records", 355, 315, 10.0, "run-1"),
        judge_freshness(Q2025_2, date(2026, 12, 2), 2),
    ]
    label = re.compile(r"^(\d{4}Q[1-4]|\d{4}-\d{2}-\d{2}|none|run-1|n/a \(previous 0\))$")
    for verdict in verdicts:
        for key, value in verdict.metadata.items():
            assert isinstance(value, int | float) or label.match(str(value)), (key, value)


# -- the warehouse reads and the row-count history -----------------------------------------------


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    yield c
    c.close()


def test_the_previous_run_is_the_latest_that_published(con: duckdb.DuckDBPyConnection) -> None:
    """Runs a, b, c recorded in that order; b built the tables but never published. For c the
    previous run is a; for a later run d it is c; a run never compares with itself."""
    assert ops_data.previous_counts(con, "c", ["a"]) == (None, {})  # no history table yet
    for run, n in (("a", 100), ("b", 10), ("c", 120)):
        counts = {"intermediate/int_wages__records": n, "marts/dim_programs": None}
        ops_data.record_row_counts(con, run, counts)
    assert ops_data.previous_counts(con, "c", ["a", "c"]) == ("a", {"intermediate/int_wages__records": 100})
    assert ops_data.previous_counts(con, "d", ["a", "c"]) == ("c", {"intermediate/int_wages__records": 120})
    assert ops_data.previous_counts(con, "a", ["a"]) == (None, {})
    assert ops_data.previous_counts(con, "d", []) == (None, {})
    # a table not built is not recorded; recording again in the same run replaces the run's rows
    ops_data.record_row_counts(con, "c", {"intermediate/int_wages__records": 121})
    assert query_rows(con, "select run_id, row_count from ops.row_counts where run_id = 'c'") == [("c", 121)]


def query_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_counts_of_built_tables_and_none_for_the_others(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_wages__records as select range as i from range(7)")
    counts = ops_data.count_rows(con)
    assert counts["intermediate/int_wages__records"] == 7
    assert set(counts) == {ops_data.table_name(key) for key, _ in ops_data.COUNTED_TABLES}
    assert {n for name, n in counts.items() if name != "intermediate/int_wages__records"} == {None}


def test_code_coverage_counts_coded_records_and_the_unmapped_mart(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema intermediate")
    con.execute("create schema marts")
    con.execute(
        "create table intermediate.int_education__records as select * from (values "
        "('PESC_AWARD_LEVEL', 'IPEDS1'), ('PESC_AWARD_LEVEL', 'ZZ9'), ('PESC_AWARD_LEVEL', 'ZZ9'), "
        "('PESC_AWARD_LEVEL', 'QQ1'), ('PESC_AWARD_LEVEL', null), ('IPEDS_AWARD_LEVEL', '1A')) "
        "as t(code_system, source_code)"
    )
    con.execute(
        "create table marts.dq_unmapped_codes as select * from (values "
        "('PESC_AWARD_LEVEL', 'ZZ9', 'P1', 2::bigint), ('PESC_AWARD_LEVEL', 'QQ1', 'P2', 1::bigint)) "
        "as t(code_system, source_code, provider_id, n_records)"
    )
    assert ops_data.code_coverage(con) == [
        CodeCoverage("IPEDS_AWARD_LEVEL", 1, 0, 0),
        CodeCoverage("PESC_AWARD_LEVEL", 4, 3, 2),  # the record without a code is not counted
    ]


def test_latest_wage_quarter_of_an_empty_warehouse_is_none(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_wages__coverage as select null::int as latest_quarter_index")
    assert ops_data.latest_wage_quarter(con) is None


# -- settings and the asset graph ----------------------------------------------------------------


def test_settings_defaults_overrides_and_limits(tmp_path: Path) -> None:
    env = {"LER_HASH_KEY": TEST_KEY, "LER_LANDING_DIR": str(tmp_path)}
    s = Settings.load(environ=env)
    assert (s.wage_freshness_lag_quarters, s.row_count_change_pct, s.unmapped_codes_max_pct) == (2, 50.0, 5.0)
    s = Settings.load({"row_count_change_pct": "10"}, environ=env | {"LER_WAGE_FRESHNESS_LAG_QUARTERS": "3"})
    assert (s.wage_freshness_lag_quarters, s.row_count_change_pct) == (3, 10.0)
    with pytest.raises(SettingsError, match="LER_UNMAPPED_CODES_MAX_PCT=-1.0: expected 0 or more"):
        Settings.load(environ=env | {"LER_UNMAPPED_CODES_MAX_PCT": "-1"})


def test_the_operational_checks_are_warnings_that_never_block() -> None:
    graph = defs.resolve_asset_graph()
    found = {}
    for key in graph.asset_check_keys:
        if key.name in OPS_CHECKS:
            found.setdefault(key.name, set()).add(key.asset_key.to_user_string())
            assert graph.get_check_spec(key).blocking is False, key
    assert found == {
        "wage_data_fresh": {"intermediate/int_wages__coverage"},
        "codes_mapped": {"marts/dq_unmapped_codes"},
        "row_count_steady": {ops_data.table_name(key) for key, _ in ops_data.COUNTED_TABLES},
    }


# -- the session's run of the hand-built state ---------------------------------------------------


@pytest.mark.e2e
def test_the_hand_built_state_run_warns_on_old_wage_data_and_is_not_stopped(rules_run: Scenario) -> None:
    """Its wage data ends in 2025Q2 (tests/test_outcome_rules.py), more than 2 quarters before the
    run's start: wage_data_fresh warns, on the console too, and the run still published. It has
    no unknown credential code, and as a first run nothing to compare row counts with, so the
    other checks pass; the counts are recorded for the next run."""
    wh = rules_run.warehouse
    assert "ler run: done" in rules_run.output["stdout"] and (wh / "published.duckdb").exists()
    run_id = latest_run_id(wh)
    (started,) = query(
        wh / "warehouse.duckdb", "select started_at from marts.run_metadata where run_id = ?", [run_id]
    )[0]
    day = started.date()
    behind = (day.year - 2025) * 4 + (day.month - 1) // 3 - 1  # quarters from 2025Q2 to the run's
    assert behind >= 6  # the suite runs on or after 2 December 2026
    checks = latest_run_checks(wh)
    fresh = checks[("intermediate/int_wages__coverage", "wage_data_fresh")]
    assert not fresh.passed
    assert fresh.description.startswith(f"the latest wage quarter 2025Q2 is {behind} quarter(s) before")
    assert "more than LER_WAGE_FRESHNESS_LAG_QUARTERS = 2" in fresh.description
    assert f"wage_data_fresh: the latest wage quarter 2025Q2 is {behind}" in rules_run.output["stderr"]
    mapped = checks[("marts/dq_unmapped_codes", "codes_mapped")]
    assert mapped.passed and mapped.description == "0 of 115 coded records carry a code no crosswalk knows"
    recorded = dict(
        query(
            wh / "warehouse.duckdb",
            "select table_name, row_count from ops.row_counts where run_id = ?",
            [run_id],
        )
    )
    for key, _label in ops_data.COUNTED_TABLES:
        name = ops_data.table_name(key)
        steady = checks[(name, "row_count_steady")]
        assert steady.passed and "no earlier published run to compare with" in steady.description, name
        (n,) = query(wh / "warehouse.duckdb", f"select count(*) from {key[0]}.{key[1]}")[0]
        assert recorded[name] == n and f": {n} rows;" in steady.description
    # by hand from the landing zone: one record per transcript row, an award per row with an
    # award date, the 12 programs of the catalog (test_outcome_rules.py's docstring)
    rows = [
        r
        for f in sorted((rules_run.landing / "transcripts").glob("*.csv"))
        for r in csv.DictReader(f.read_text(encoding="utf-8").splitlines())
    ]
    assert recorded["intermediate/int_education__records"] == len(rows) == 115
    assert recorded["marts/fct_credential_awards"] == sum(1 for r in rows if r["award_date"]) == 113
    assert recorded["marts/dim_programs"] == 12
