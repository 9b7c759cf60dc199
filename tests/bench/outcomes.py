"""Digests of a warehouse's tables, to prove a faster pipeline computes exactly the same numbers.

A table's digest is its row count and an order-free MD5 over its rows as text (every column but the
ones that name where the run happened: landing paths, run ids and times). The bench compares them
with the reference digests kept in `reference/outcomes.json` (recorded by the code before the
state-scale work, `--record-reference`), and the state size's outcome tables with the mid size's:
the state only adds workers who are in no education record.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

REFERENCE = Path(__file__).with_name("reference") / "outcomes.json"
SCHEMAS = ("marts", "reporting", "audit")
# Where the run happened, not what it computed.
SKIPPED_TABLES = {"run_metadata", "rpt_run_metadata"}
SKIPPED_COLUMNS = {"file_path", "run_id", "started_at", "finished_at", "loaded_at"}


def digests(warehouse_db: Path) -> dict[str, dict[str, object]]:
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {SCHEMAS!r} order by 1, 2"
        ).fetchall()
        out: dict[str, dict[str, object]] = {}
        for schema, table in tables:
            if table in SKIPPED_TABLES:
                continue
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? "
                    "and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if r[0] not in SKIPPED_COLUMNS
            ]
            row = ", ".join(f'"{c}"' for c in cols)
            n, md5 = con.execute(
                f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) from "
                f'(select md5(row({row})::varchar) as h from "{schema}"."{table}")'
            ).fetchone()
            out[f"{schema}.{table}"] = {"rows": n, "md5": md5}
        return out
    finally:
        con.close()


def is_exact(table: str, *, outcomes_only: bool = False) -> bool:
    """The tables a faster pipeline must leave exactly as they were: the outcome tables (§7, marts
    and reporting) and the load manifest (every file's status and counts). Other digests are kept
    for information (other engineers' schema changes move them)."""
    return "outcomes" in table or (table == "audit.load_manifest" and not outcomes_only)


def compare(got: dict, want: dict, *, outcomes_only: bool = False) -> list[str]:
    """Exact tables that differ (or exist on one side only); empty when equal."""
    names = sorted(n for n in set(got) | set(want) if is_exact(n, outcomes_only=outcomes_only))
    return [n for n in names if got.get(n) != want.get(n)]


def load_reference() -> dict:
    return json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}


def save_reference(reference: dict) -> None:
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n")
