"""Compare outcome tables with expected CSVs the way the worked examples' READMEs say: every row and
cell. In `marts`: floats to 1e-6 relative. In `reporting` (example v2, docs/reporting_rules.md §8):
null exactly where null, counts exact, earnings within 0.5 and rates within 0.0001 (rounding half
away from zero). `reasons` and `suppressed_columns` as sets of codes (empty = null)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb

# The outcome tables of both worked examples (§7.1-7.3) ...
GRAINS = {
    "wpell_program_outcomes": ["provider_id", "program_id", "cohort_year"],
    "program_outcomes": ["provider_id", "program_id", "completion_year"],
    "statewide_outcomes": ["credit_type", "credential_level", "completion_year"],
}
# ... and those of example v2 (adds §7.5).
GRAINS_V2 = {
    **GRAINS,
    "statewide_outcomes_by_group": [
        "credit_type",
        "credential_level",
        "completion_year",
        "group_dimension",
        "group_value",
    ],
}
CODE_SETS = {"reasons", "suppressed_columns"}
# The count columns of the legislative tables (program, statewide, by group), in table order.
LEGISLATIVE_COUNTS = (
    "n_completers",
    "n_unmatchable",
    "n_observed_q2",
    "n_employed_q2",
    "n_observed_q4",
    "n_employed_q4",
    "y1_n_attached",
    "y3_n_attached",
    "y5_n_attached",
)
# Published tolerances (example v2 README): a rate to 4 decimals, earnings to whole dollars.
RATE_TOLERANCE, EARNINGS_TOLERANCE = 0.0001, 0.5


def _codes(value: object) -> set[str]:
    return set() if value is None else set(filter(None, str(value).split(";")))


def _published_tolerance(column: str) -> float:
    """How far a published value may be from the CSV's: counts exact, rates and earnings rounded."""
    if column.endswith("_rate") or "_rate_" in column:
        return RATE_TOLERANCE
    if "earnings" in column:
        return EARNINGS_TOLERANCE
    return 0.0


def _same(expected: str, actual: object, column: str, published: bool) -> bool:
    if column in CODE_SETS:
        return _codes(expected or None) == _codes(actual)
    if expected == "":
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if expected in ("True", "False"):
        return actual is (expected == "True")
    if isinstance(actual, bool) or actual is None:
        return False
    if isinstance(actual, int | float) or hasattr(actual, "as_tuple"):
        try:
            wanted, got = float(expected), float(actual)
        except ValueError:
            return False
        if published:
            return abs(wanted - got) <= _published_tolerance(column) + 1e-9
        return math.isclose(wanted, got, rel_tol=1e-6, abs_tol=1e-9)
    return str(actual) == expected


def compare_table(db: Path, schema: str, table: str, expected_csv: Path) -> list[str]:
    """Differences between `schema.table` and the CSV, as readable lines (empty when equal).

    `schema` "reporting" compares as a published table (module doc), anything else as exact."""
    with expected_csv.open(newline="", encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    columns = list(expected[0].keys()) if expected else []
    key = GRAINS_V2[table]
    published = schema == "reporting"
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
            if not _same(wanted[k][column], actual[k][column], column, published):
                problems.append(
                    f"{table} {k} {column}: expected {wanted[k][column]!r}, got {actual[k][column]!r}"
                )
    return problems
