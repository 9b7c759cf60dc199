"""Incremental nightly runs (issue 10 item 4; dbt/macros/wage_slices.sql): the wage tables are rebuilt
one quarter at a time, and a second night gives exactly what one full load of the same landing zone
gives.

The first night is the session scenario `rules_run` (the hand-built state of test_outcome_rules.py).
`second_night()` then lands what a real night brings, and what moves the timeline under the
incremental build: a new wage quarter (2025Q3), an amendment of an old quarter (2023Q1), a new
transcript file, a removed wage file (2021Q1's only file: the quarter disappears) and a late file
with an older date stamp than the file it amends (2024Q3: it sorts first, so the file already
loaded still wins for the keys both have, and every later file's file_seq shifts by one). Two
runs of that landing zone, started together (they share nothing, and side by side they cost less
wall time than one after the other): the incremental second night on a copy of the first night's
warehouse, and `ler run --full-refresh` on another copy. The full refresh is the full load of the
final landing zone: ingestion rebuilds the lake from the whole landing zone on every run, and every
dbt table, the wage tables included, is then created anew from the whole lake, as on an empty
warehouse (what such a warehouse has besides, the history of runs and earlier publications, is not
compared; a third run on an empty warehouse, measured once, gave the same tables and cost about a
minute of the suite's budget). Their marts, reporting tables, outcome measures and wage tables must
be equal, row for row.

The second night is also the hand-built state's second run for the operational check
`row_count_steady` (tests/test_ops_checks.py has the rest): both runs compare their row counts with
the first night's, the incremental one with LER_ROW_COUNT_CHANGE_PCT at 10 (the wage tables lose
about 11 %: it warns), the full refresh with the default 50 (it passes).
"""

from __future__ import annotations

import csv
import io
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from tests.support.pipeline import ler_run, query
from tests.support.run_log import latest_run_checks, latest_run_id
from tests.support.scenarios import Scenario, build_once, copy_scenario

pytestmark = pytest.mark.e2e

# quarter_index = year * 4 + (quarter - 1)
Q2021_1, Q2023_1, Q2024_3, Q2025_3 = 8084, 8092, 8098, 8102
REBUILT = {Q2023_1, Q2024_3, Q2025_3}  # what the second night touches (2021Q1 goes away)
LATE_EMPLOYER = "4000000004"
# Bookkeeping of the incremental build, different by construction between the runs compared.
BUILD_COLUMNS = {"built_at", "changed_at"}
# The second night, two ways (the incremental one with a row-count threshold its change passes).
RUNS = {"incremental": ("--row-count-change-pct", "10"), "refreshed": ("--full-refresh",)}
RUN_COLUMNS = {"run_id", "started_at", "finished_at", "settings"}  # settings name the folders


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())


def second_night(landing: Path) -> None:
    """The files of the second night (module docstring), made from the first night's own rows."""
    wages = landing / "wages"
    columns, q2 = _read(wages / "ui_wages_2025Q2_20250815.csv")
    _write(wages / "ui_wages_2025Q3_20251115.csv", columns, [r | {"quarter": "3"} for r in q2])
    _, q2023 = _read(wages / "ui_wages_2023Q1_20230515.csv")
    amended = [r | {"wages": f"{float(r['wages']) * 2:.2f}"} for r in q2023[:3]]
    _write(wages / "amend_2023Q1_20251201.csv", columns, amended)
    (wages / "ui_wages_2021Q1_20210515.csv").unlink()
    _, q2024 = _read(wages / "ui_wages_2024Q3_20241115.csv")
    late = [r | {"wages": f"{float(r['wages']) + 111:.2f}"} for r in q2024]
    late.append(q2024[0] | {"employer_account": LATE_EMPLOYER, "wages": "777.00"})
    _write(wages / "late_2024Q3_20241001.csv", columns, late)
    transcripts = landing / "transcripts"
    t_columns, recent = _read(transcripts / "TRN_COLL_2025_20250801.csv")
    _write(
        transcripts / "TRN_COLL_2025_20251201.csv",
        t_columns,
        [recent[0] | {"award_title": "RECENT award (resubmitted)"}],
    )


def compared_tables(db: Path) -> list[tuple[str, str, list[str]]]:
    """(schema, table, columns) of every table the runs must agree on: the marts and reporting
    tables, the outcome measures and the wage tables, without bookkeeping columns. Tables only: the
    view int_wages__lake_slice shows the quarters the latest build wrote, different by design."""
    rows = query(
        db,
        "select table_schema, table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns join information_schema.tables using (table_schema, table_name) "
        "where table_type = 'BASE TABLE' and (table_schema in ('marts', 'reporting') "
        "   or (table_schema = 'intermediate' and (table_name like 'int_wages__%' "
        "       or table_name like 'int_outcomes__%'))) "
        "group by all order by all",
    )
    return [(s, t, [c for c in cols if c not in BUILD_COLUMNS | RUN_COLUMNS]) for s, t, cols in rows]


def differences(left: Path, right: Path) -> dict[str, int]:
    """Rows of each compared table that one warehouse has and the other has not (both ways)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        found = {}
        for schema, table, columns in compared_tables(left):
            cols = ", ".join(f'"{c}"' for c in columns)
            where = " where run_id = (select max_by(run_id, finished_at) from {db}.marts.run_metadata)"
            last = where if table == "run_metadata" else ""
            sides = [f"select {cols} from {db}.{schema}.{table}" + last.format(db=db) for db in ("l", "r")]
            n = con.execute(
                f"select count(*) from (({sides[0]} except all {sides[1]}) "
                f"union all ({sides[1]} except all {sides[0]}))"
            ).fetchone()[0]
            if n:
                found[f"{schema}.{table}"] = n
        return found
    finally:
        con.close()


def built_at_by_quarter(db: Path, table: str) -> dict[int, object]:
    sql = f"select quarter_index, min(built_at), max(built_at) from intermediate.{table} group by 1"
    rows = query(db, sql)
    assert all(low == high for _, low, high in rows), f"{table}: a quarter built in two builds"
    return {q: low for q, low, _ in rows}


@pytest.fixture(scope="module")
def nights(rules_run: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    """The second night two ways (module docstring), run side by side, once per session (several
    workers may run this module's tests)."""

    def build(s: Scenario) -> None:
        runs = {name: (copy_scenario(rules_run, s.root / name), flags) for name, flags in RUNS.items()}
        for copy, _ in runs.values():
            second_night(copy.landing)
        with ThreadPoolExecutor(max_workers=len(runs)) as pool:
            done = [pool.submit(ler_run, c.landing, c.warehouse, *flags) for c, flags in runs.values()]
            for future in done:
                future.result()

    built = build_once(tmp_path_factory, "incremental_nights", build)
    return {name: Scenario(built.root / name) for name in RUNS} | {"first": rules_run}


def test_second_night_equals_one_full_load(nights: dict[str, Scenario]) -> None:
    """Two nights (incremental) = one full load (`--full-refresh`: module docstring) of the same
    landing zone, and so the full refresh equals the incremental result."""
    assert differences(nights["incremental"].db, nights["refreshed"].db) == {}


def test_comparison_sees_every_table(nights: dict[str, Scenario]) -> None:
    """The comparison is not vacuous: it covers the outcome and wage tables, and the first night's
    tables do differ from the second night's."""
    names = {f"{s}.{t}" for s, t, _ in compared_tables(nights["incremental"].db)}
    assert {
        "intermediate.int_wages__records",
        "intermediate.int_wages__person_quarters",
        "intermediate.int_wages__quarter_inputs",
        "intermediate.int_outcomes__completion_measures",
        "marts.program_outcomes",
        "reporting.statewide_outcomes",
        "marts.run_metadata",
    } <= names
    changed = differences(nights["first"].db, nights["incremental"].db)
    assert {"intermediate.int_wages__records", "intermediate.int_wages__person_quarters"} <= set(changed)


def test_second_night_rebuilds_only_the_quarters_it_touched(nights: dict[str, Scenario]) -> None:
    for table in ("int_wages__records", "int_wages__person_quarters"):
        first = built_at_by_quarter(nights["first"].db, table)
        second = built_at_by_quarter(nights["incremental"].db, table)
        assert Q2021_1 in first and Q2021_1 not in second  # its only file was removed
        assert set(second) == set(first) - {Q2021_1} | {Q2025_3}
        rebuilt = {q for q, at in second.items() if at != first.get(q)}
        assert rebuilt == REBUILT, table
        assert all(second[q] > first[q] for q in REBUILT - {Q2025_3})


def test_the_slice_checks_name_the_rebuilt_quarters(nights: dict[str, Scenario]) -> None:
    """The data tests of the latest slice compare with the rebuilt quarters written out as numbers
    (macro latest_slice), so DuckDB skips every other quarter before any other condition."""
    compiled = nights["incremental"].warehouse / ".tmp" / "dbt-target" / "compiled"
    listed = "quarter_index in (" + ", ".join(str(q) for q in sorted(REBUILT)) + ")"
    (range_test,) = compiled.rglob("assert_int_wages__records__values_in_range.sql")
    assert listed in range_test.read_text()
    (key_test,) = compiled.rglob("column_rules_int_wages__records.sql")
    assert listed in key_test.read_text()
    (grain_test,) = compiled.rglob("grain_unique_int_wages__records_*.sql")
    assert listed in grain_test.read_text()
    # the landed rows' tests read this view
    (lake_slice,) = compiled.rglob("int_wages__lake_slice.sql")
    assert listed.replace("quarter_index in", "") in lake_slice.read_text()


def test_changed_at_moves_only_for_the_quarters_whose_files_changed(nights: dict[str, Scenario]) -> None:
    """int_wages__quarter_inputs.changed_at, which the landed rows' tests follow: kept for a
    quarter whose lake inputs are unchanged, new for the touched ones; a full refresh renews all."""
    sql = "select quarter_index, changed_at from intermediate.int_wages__quarter_inputs"
    first = dict(query(nights["first"].db, sql))
    second = dict(query(nights["incremental"].db, sql))
    assert set(second) == set(first) - {Q2021_1} | {Q2025_3}
    assert {q for q, at in second.items() if at != first.get(q)} == REBUILT
    assert len(set(dict(query(nights["refreshed"].db, sql)).values())) == 1


def test_full_refresh_rebuilds_every_quarter_and_keeps_the_run_history(nights: dict[str, Scenario]) -> None:
    refreshed = nights["refreshed"].db
    for table in ("int_wages__records", "int_wages__person_quarters"):
        assert len(set(built_at_by_quarter(refreshed, table).values())) == 1
    first_runs = query(nights["first"].db, "select run_id from marts.run_metadata")
    runs = query(refreshed, "select run_id from marts.run_metadata")
    assert len(runs) == len(first_runs) + 1 and set(first_runs) < set(runs)


def test_amendments_across_nights(nights: dict[str, Scenario]) -> None:
    """Hand-checked rows: the late file with an older stamp loses to the file loaded the first night
    for the keys both have and adds its new key; the amendment of 2023Q1 wins over the first
    night's rows; the new quarter is there, the removed one is not."""
    db = nights["incremental"].db
    late = query(
        db,
        "select employer_account, wage_amount, file_name from intermediate.int_wages__records "
        "where quarter_index = ? and person_key = (select person_key "
        "  from intermediate.int_wages__records where quarter_index = ? and employer_account = ?) "
        "order by 1",
        [Q2024_3, Q2024_3, LATE_EMPLOYER],
    )
    assert late == [
        ("1000000001", 5000, "ui_wages_2024Q3_20241115.csv"),
        (LATE_EMPLOYER, 777, "late_2024Q3_20241001.csv"),
    ]
    amended = query(
        db,
        "select count(*), sum(wage_amount) from intermediate.int_wages__records "
        "where quarter_index = ? and file_name = 'amend_2023Q1_20251201.csv'",
        [Q2023_1],
    )
    # the first three rows of 2023Q1 are CNA16_1..3 at 1,000 x i, doubled: 2,000 + 4,000 + 6,000
    assert amended == [(3, 12000)]
    quarters = {q for (q,) in query(db, "select distinct quarter_index from intermediate.int_wages__records")}
    assert Q2025_3 in quarters and Q2021_1 not in quarters
    through = query(db, "select wage_data_through from marts.run_metadata order by finished_at desc limit 1")
    assert through == [("2025Q3",)]


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("int_wages__records", "person_key", None),
        ("int_wages__records", "employer_account", None),
        ("int_wages__records", "wage_year", None),
        ("int_wages__records", "wage_quarter", None),
        ("int_wages__records", "wage_quarter", 5),
        ("int_wages__records", "quarter_index", None),
        ("int_wages__records", "wage_amount", None),
        ("int_wages__person_quarters", "person_key", None),
        ("int_wages__person_quarters", "quarter_index", None),
        ("int_wages__person_quarters", "earnings", None),
        ("int_wages__person_quarters", "is_employed", None),
    ],
)
def test_wage_tables_enforce_what_their_tests_checked(
    nights: dict[str, Scenario], tmp_path: Path, table: str, column: str, value: object
) -> None:
    """The required values and codes these tables had tests for are enforced constraints now (the
    contract in _intermediate__models.yml): an insert that breaks one fails, so an incremental
    build cannot write such a row, and nothing rescans the table for it."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy2(nights["incremental"].db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute(f"create temp table bad as select * from intermediate.{table} limit 1")
        con.execute(f'update bad set "{column}" = ?', [value])
        with pytest.raises(duckdb.ConstraintException):
            con.execute(f"insert into intermediate.{table} select * from bad")
    finally:
        con.close()


def test_row_counts_are_compared_with_the_first_night(nights: dict[str, Scenario]) -> None:
    """By hand: the second night removes 2021Q1's wage rows, adds 2025Q3 as a copy of 2025Q2's rows
    and one new key in the late 2024Q3 file (module docstring; the amendments replace rows), so
    the learners' wage records go from N to N - rows(2021Q1) + rows(2025Q2) + 1: 354 -> 313,
    -11.58 % (the one worker of 2025Q2 in no education record, and the copy in 2025Q3, are in the
    lake only: 356 landed rows the first night). The new
    transcript file adds its one row to the 115 education records (+0.87 %). At 10 % the wage
    tables warn, at the default 50 % nothing does; neither run is stopped by it."""
    first = nights["first"].db
    first_run = latest_run_id(nights["first"].warehouse)
    (before, q2021_1, q2025_2) = query(
        first,
        "select count(*), count(*) filter (where quarter_index = ?), "
        "count(*) filter (where quarter_index = ?) from intermediate.int_wages__records",
        [Q2021_1, Q2025_3 - 1],
    )[0]
    after = before - q2021_1 + q2025_2 + 1
    assert (before, after) == (354, 313)
    assert query(first, "select count(*) from staging.stg_lake__wages") == [(356,)]
    wages = f"wage records of the learners (after amendments): {before} -> {after} rows (-11.58 %)"
    for name, limit, warns in (("incremental", 10, True), ("refreshed", 50, False)):
        s = nights[name]
        checks = latest_run_checks(s.warehouse)
        found = checks[("intermediate/int_wages__records", "row_count_steady")]
        assert found.passed is not warns and found.description.startswith(wages), (name, found)
        assert checks[("intermediate/int_wages__person_quarters", "row_count_steady")].passed is not warns
        records = checks[("intermediate/int_education__records", "row_count_steady")]
        assert records.passed and records.description.endswith(": 115 -> 116 rows (+0.87 %)")
        assert (s.warehouse / "publications" / latest_run_id(s.warehouse) / "publication.json").exists()
        history = query(
            s.db,
            "select run_id, row_count from ops.row_counts "
            "where table_name = 'intermediate/int_wages__records' order by recorded_at",
        )
        assert history == [(first_run, before), (latest_run_id(s.warehouse), after)], name
        if warns:
            assert f"more than LER_ROW_COUNT_CHANGE_PCT = {limit}" in found.description
