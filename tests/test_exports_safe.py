"""Spreadsheet-safe exports (docs/reporting_rules.md §9): no published text becomes a formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
leading `'` and quoted (OWASP, CSV injection); numbers stay numbers. The CSVs are read as a
spreadsheet program would read them (the csv module: quotes removed, cells as text), and compared
with the Parquet export of the same table, which keeps the values as published.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from dagster_project.publication import publish
from dagster_project.publication.spreadsheet import FORMULA_TRIGGERS, spreadsheet_safe_select
from tests.support.odd_paths import HOSTILE_PREFIXES, odd_paths_run, odd_warehouse
from tests.support.pipeline import rows_as_dicts
from tests.support.scenarios import Scenario
from tests.test_publication import make_warehouse

NUMBERS = ("DOUBLE", "BIGINT", "INTEGER", "HUGEINT")
HOSTILE = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://example.invalid","a,b")']


def read_csv_as_a_spreadsheet(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def neutralized(value: str) -> str:
    return "'" + value if value[:1] in FORMULA_TRIGGERS else value


def check_export(exports: Path, table: str) -> int:
    """Every text cell of the CSV is the Parquet value, neutralized; every other cell the same value
    unchanged (numbers parse as the same number). Returns how many cells needed neutralizing."""
    csv_rows = read_csv_as_a_spreadsheet(exports / f"{table}.csv")
    con = duckdb.connect()
    try:
        relation = con.execute("select * from read_parquet(?)", [str(exports / f"{table}.parquet")])
        names = [d[0] for d in relation.description]
        types = {d[0]: str(d[1]) for d in relation.description}
        parquet_rows = [dict(zip(names, r, strict=True)) for r in relation.fetchall()]
    finally:
        con.close()
    assert len(csv_rows) == len(parquet_rows)
    hostile = 0
    for got, want in zip(csv_rows, parquet_rows, strict=True):
        for name in names:
            cell, value, kind = got[name], want[name], types[name]
            if value is None:
                assert cell == "", (table, name)
            elif kind == "VARCHAR":
                assert cell[:1] not in FORMULA_TRIGGERS, (table, name, cell)  # the rule itself
                assert cell == neutralized(value), (table, name)
                hostile += cell != value
            elif kind in NUMBERS or kind.startswith("DECIMAL"):
                assert float(cell) == float(value), (table, name)  # a number, sign and all
            elif kind == "BOOLEAN":
                assert cell == str(value).lower(), (table, name)
    return hostile


def test_the_neutralizing_sql_touches_text_only() -> None:
    con = duckdb.connect()
    try:
        con.execute("create table t (name varchar, earnings double, n bigint)")
        rows = [(h, -1234.5, -3) for h in HOSTILE] + [(None, None, None)]
        con.executemany("insert into t values (?, ?, ?)", rows)
        columns = [("name", "VARCHAR"), ("earnings", "DOUBLE"), ("n", "BIGINT")]
        got = con.execute(spreadsheet_safe_select("t", columns)).fetchall()
    finally:
        con.close()
    assert got == [("'" + h, -1234.5, -3) for h in HOSTILE] + [(None, None, None)]
    assert neutralized("Plain =name") == "Plain =name"  # only the first character matters


def test_csv_export_of_hostile_names(tmp_path: Path) -> None:
    wh = make_warehouse(tmp_path / "wh")
    con = duckdb.connect(str(wh / "warehouse.duckdb"))
    con.executemany(
        "insert into reporting.program_outcomes values (?, ?, ?, ?)",
        [(f"H{i}", name, i, -100.0 * i) for i, name in enumerate(HOSTILE)],
    )
    con.close()
    publish(wh, "run-1")
    exports = wh / "exports"
    assert check_export(exports, "program_outcomes") == len(HOSTILE) + 1  # and '=cmd' of make_warehouse
    text = (exports / "program_outcomes.csv").read_text(encoding="utf-8")
    assert "\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"a,b\"\")\"" in text  # quoted, quotes doubled
    assert ",-1234.5\n" in text  # a negative number is written as a number
    # the database and the Parquet export keep the names exactly as published
    published = rows_as_dicts(wh / "published.duckdb", "select * from reporting.program_outcomes")
    assert set(HOSTILE) <= {r["program_name"] for r in published}


@pytest.mark.e2e
def test_hostile_reference_names_through_a_real_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    run: Scenario = odd_paths_run(tmp_path_factory)
    exports = odd_warehouse(run) / "exports"
    assert check_export(exports, "program_outcomes") > 0
    for table in ("wpell_program_outcomes", "statewide_outcomes", "run_metadata"):
        check_export(exports, table)
    cells = [c for row in read_csv_as_a_spreadsheet(exports / "program_outcomes.csv") for c in row.values()]
    for prefix in HOSTILE_PREFIXES[:4]:  # = + - @ reach the outputs (tab and CR are trimmed on the way)
        assert any(c.startswith("'" + prefix) for c in cells), prefix
