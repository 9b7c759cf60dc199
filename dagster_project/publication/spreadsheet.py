"""Spreadsheet-safe cells (CSV injection, OWASP): a published text can never become a formula.

A spreadsheet program opening a CSV (and later an xlsx) treats a cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return as a formula, so a provider or program name from a reference
file such as `=HYPERLINK("http://…")` would run when an analyst opens the export. Following OWASP's
advice, such a text cell is written with a leading `'` (which the program shows as text and does
not display), and every text cell of the CSV is quoted. Only text columns are touched: numbers,
dates and booleans keep their type, so a negative earnings value stays the number it is
(docs/reporting_rules.md §9).

The neutralizing is SQL over a relation (`spreadsheet_safe_select`), the one way every
spreadsheet-bound export reads its rows; the published database and the Parquet exports keep the
values as they are (they are data files, not spreadsheets).
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster_project.sqlutil import ident, lit

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
# DuckDB types whose values a spreadsheet reads as text
_TEXT_TYPES = ("VARCHAR", "JSON")


def is_text(duckdb_type: str) -> bool:
    kind = duckdb_type.upper()
    return kind in _TEXT_TYPES or kind.startswith("ENUM")


def safe_text_sql(column: str) -> str:
    """SQL of one text column with a formula-trigger first character neutralized (NULL stays NULL)."""
    value = f"{ident(column)}::varchar"
    triggers = ", ".join(lit(t) for t in FORMULA_TRIGGERS)
    return (
        f"case when left({value}, 1) in ({triggers}) then {lit(NEUTRALIZER)} || {value} "
        f"else {value} end as {ident(column)}"
    )


def spreadsheet_safe_select(relation: str, columns: Sequence[tuple[str, str]]) -> str:
    """`select` over `relation` (already quoted) with each (name, DuckDB type) column, in order:
    text columns neutralized, every other column as it is."""
    parts = [safe_text_sql(name) if is_text(kind) else ident(name) for name, kind in columns]
    return f"select {', '.join(parts)} from {relation}"


def csv_options(columns: Sequence[tuple[str, str]]) -> str:
    """DuckDB `COPY ... TO` options of a spreadsheet-safe CSV: header, every text column quoted."""
    text = [ident(name) for name, kind in columns if is_text(kind)]
    quote = f", force_quote ({', '.join(text)})" if text else ""
    return f"(format csv, header{quote})"
