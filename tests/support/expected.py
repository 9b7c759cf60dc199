"""Compare outcome tables with expected CSVs the way the spec example's README says: every row and
cell, floats to 1e-6 relative, `reasons` as a set of codes (empty = null)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb

GRAINS = {
    "wpell_program_outcomes": ["provider_id", "program_id", "cohort_year"],
    "program_outcomes": ["provider_id", "program_id", "completion_year"],
    "statewide_outcomes": ["credit_type", "credential_level", "completion_year"],
}


def _same(expected: str, actual: object, column: str) -> bool:
    if column == "reasons":
        got = set() if actual is None else set(str(actual).split(";"))
        return set(filter(None, expected.split(";"))) == got - {""}
    if expected == "":
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if expected in ("True", "False"):
        return actual is (expected == "True")
    if isinstance(actual, bool) or actual is None:
        return False
    if isinstance(actual, int | float) or hasattr(actual, "as_tuple"):
        try:
            return math.isclose(float(expected), float(actual), rel_tol=1e-6, abs_tol=1e-9)
        except ValueError:
            return False
    return str(actual) == expected


def compare_table(db: Path, schema: str, table: str, expected_csv: Path) -> list[str]:
    """Differences between `schema.table` and the CSV, as readable lines (empty when equal)."""
    with expected_csv.open(newline="", encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    columns = list(expected[0].keys()) if expected else []
    key = GRAINS[table]
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"select {', '.join(columns)} from {schema}.{table}")
        names = [d[0] for d in cur.description]
        actual = {
            tuple(str(r[names.index(k)]) for k in key): dict(zip(names, r, strict=True))
            for r in cur.fetchall()
        }
    finally:
        con.close()
    problems = []
    wanted = {tuple(row[k] for k in key): row for row in expected}
    problems += [f"{table}: missing row {k}" for k in sorted(wanted.keys() - actual.keys())]
    problems += [f"{table}: unexpected row {k}" for k in sorted(actual.keys() - wanted.keys())]
    for k in sorted(wanted.keys() & actual.keys()):
        for column in columns:
            if not _same(wanted[k][column], actual[k][column], column):
                problems.append(
                    f"{table} {k} {column}: expected {wanted[k][column]!r}, got {actual[k][column]!r}"
                )
    return problems
