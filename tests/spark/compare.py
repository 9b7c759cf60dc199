"""Cell-for-cell comparison of two warehouses' tables (issue 13: DuckDB and Spark builds)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.sqlutil import ident, path_lit

COMPARED_SCHEMAS = ("marts", "reporting")
# Columns that differ between any two runs, whatever the engine: when and which run.
RUN_COLUMNS = {"run_metadata": ("run_id", "started_at", "finished_at", "settings")}


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> dict[str, list[tuple]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? order by table_name, ordinal_position",
        [catalog, schema],
    ).fetchall()
    tables: dict[str, list[tuple]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def differences(left: Path, right: Path, schemas: tuple[str, ...] = COMPARED_SCHEMAS) -> list[str]:
    """Every difference between the tables of `schemas` in two DuckDB files: missing tables,
    columns (names, order, types) and rows (as multisets, every cell compared with `is not
    distinct from`); [] when they are equal. The run's own columns (RUN_COLUMNS) are left out, and
    a table that keeps the history of runs is compared on its latest row."""
    con = duckdb.connect()
    found: list[str] = []
    try:
        con.execute(f"attach {path_lit(left)} as l (read_only)")
        con.execute(f"attach {path_lit(right)} as r (read_only)")
        for schema in schemas:
            lt, rt = table_columns(con, "l", schema), table_columns(con, "r", schema)
            for missing in sorted(set(lt) ^ set(rt)):
                found.append(f"{schema}.{missing}: only in {'left' if missing in lt else 'right'}")
            for table in sorted(set(lt) & set(rt)):
                if lt[table] != rt[table]:
                    found.append(f"{schema}.{table}: columns {lt[table]} != {rt[table]}")
                    continue
                skipped = RUN_COLUMNS.get(table, ())
                cols = ", ".join(ident(c) for c, _ in lt[table] if c not in skipped)
                latest = "order by finished_at desc limit 1" if table in RUN_COLUMNS else ""
                sides = {
                    side: f"(select {cols} from {side}.{ident(schema)}.{ident(table)} {latest})"
                    for side in ("l", "r")
                }
                for a, b, name in (("l", "r", "left"), ("r", "l", "right")):
                    extra = con.execute(
                        f"select count(*), any_value(x::varchar) from "
                        f"(select * from {sides[a]} except all select * from {sides[b]}) as x"
                    ).fetchone()
                    if extra[0]:
                        found.append(f"{schema}.{table}: {extra[0]} row(s) only in {name}, e.g. {extra[1]}")
    finally:
        con.close()
    return found
