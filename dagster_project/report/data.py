"""What the report reads: rows of the published tables, opened read-only, never anything else.

Every value is taken as published: a null cell stays null and is shown as "suppressed" when the
row's `suppressed_columns` lists its column, as "n/a" (not computable) when it does not
(docs/reporting_rules.md §8, rule 6). Nothing is recomputed from other cells. The selections
(latest decided cohort, the completion year shown) are SQL over the published tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = "reporting"


@dataclass(frozen=True)
class Value:
    """One published cell: its value, and whether a null was hidden by suppression."""

    value: Any
    hidden: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass
class Published:
    """The published tables a report is built from, with their comments (the dbt docs)."""

    tables: dict[str, list[str]]  # table -> columns, in order
    table_comments: dict[str, str]
    column_comments: dict[tuple[str, str], str]
    run: dict[str, Any]  # the newest run_metadata row ({} when the table is absent)
    rows: dict[str, list[dict[str, Value]]] = field(default_factory=dict)

    def has(self, table: str, *columns: str) -> bool:
        return table in self.tables and all(c in self.tables[table] for c in columns)


def _as_values(names: list[str], row: tuple) -> dict[str, Value]:
    raw = dict(zip(names, row, strict=True))
    hidden = set(str(raw.get("suppressed_columns") or "").split(";")) - {""}
    return {n: Value(v, hidden=v is None and n in hidden) for n, v in raw.items()}


def select(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Value]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [_as_values(names, r) for r in cur.fetchall()]


# The selections of the report (each reads one published table; `{t}` is its name).
QUERIES = {
    # Workforce Pell: each program's latest cohort with a decision (else its latest cohort)
    "wpell_latest": """
        select * from {t}
        qualify row_number() over (
            partition by provider_id, program_id
            order by (status <> 'INSUFFICIENT_DATA') desc, cohort_year desc) = 1
        order by provider_id, program_id""",
    # each program's latest cohort with a published value-added earnings (else its latest cohort)
    "wpell_vae": """
        select * from {t}
        qualify row_number() over (
            partition by provider_id, program_id
            order by (value_added_earnings is not null) desc, cohort_year desc) = 1
        order by provider_id, program_id""",
    "wpell_all": "select * from {t} order by provider_id, program_id, cohort_year",
    "statewide": "select * from {t} order by credit_type, credential_level, completion_year",
    "programs": "select * from {t} order by provider_id, program_id, completion_year",
    "by_group": """select * from {t}
        order by group_dimension, credit_type, credential_level, completion_year, group_value""",
}
SOURCES = {
    "wpell_latest": "wpell_program_outcomes",
    "wpell_vae": "wpell_program_outcomes",
    "wpell_all": "wpell_program_outcomes",
    "statewide": "statewide_outcomes",
    "programs": "program_outcomes",
    "by_group": "statewide_outcomes_by_group",
}


def load(published_db: Path) -> Published:
    """Read the published tables of `published_db` (read-only; no file access beyond it)."""
    con = duckdb.connect(str(published_db), read_only=True, config={"enable_external_access": False})
    try:
        columns = con.execute(
            "select table_name, column_name, coalesce(comment, '') from duckdb_columns() "
            "where schema_name = ? order by table_name, column_index",
            [SCHEMA],
        ).fetchall()
        tables: dict[str, list[str]] = {}
        for table, column, _ in columns:
            tables.setdefault(table, []).append(column)
        comments = con.execute(
            "select table_name, coalesce(comment, '') from duckdb_tables() where schema_name = ?", [SCHEMA]
        ).fetchall()
        published = Published(
            tables=tables,
            table_comments=dict(comments),
            column_comments={(t, c): text for t, c, text in columns if text},
            run={},
        )
        if published.has("run_metadata"):
            order = " order by finished_at desc" if published.has("run_metadata", "finished_at") else ""
            runs = select(con, f"select * from {SCHEMA}.run_metadata{order} limit 1")
            published.run = {k: v.value for k, v in runs[0].items()} if runs else {}
        for name, sql in QUERIES.items():
            table = SOURCES[name]
            if table in tables:
                try:
                    published.rows[name] = select(con, sql.format(t=f"{SCHEMA}.{table}"))
                except duckdb.BinderException:  # a table of another layout: its section says so
                    published.rows[name] = []
    finally:
        con.close()
    return published
