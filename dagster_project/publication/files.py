"""The files of one publication, written into its own folder before anything points to it.

One function, `write_publication_files`, writes everything a publication holds, in order: the
database, the exports, the codebook (`codebook.py`: comments from the dbt docs, `exports/codebook.csv`,
`README.md`), the report (`dagster_project/report`: `report/report.html` and `.pdf`, built from the
database just written), then `publication.json` (what the folder holds, last, so a folder with it is
complete).

The database is written in DuckDB's 1.4 storage format (`STORAGE_VERSION 'v1.4.0'`), so the
analysts' tools that carry a DuckDB 1.4 LTS or later (R, DBeaver, older Python) open it; without it a
1.4 or 1.5 client refuses a file written by DuckDB 2.0 (RECIPES.md). Table and column comments of
the `reporting` schema are copied with the tables (`create table as` alone drops them).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.project_paths import EXPORTS_NAME, PUBLISHED_DB_NAME
from dagster_project.publication.codebook import (
    CODEBOOK_COLUMNS,
    CODEBOOK_NAME,
    README_NAME,
    TableDoc,
    codebook_relation,
    describe_tables,
    load_published_docs,
    read_codebook,
    readme_text,
)
from dagster_project.publication.spreadsheet import csv_options, spreadsheet_safe_select
from dagster_project.sqlutil import ident, lit, path_lit

PUBLISHED_SCHEMA = "reporting"
# 2026-12-01: the oldest storage format DuckDB 2.0.1 writes that DuckDB 1.4 (the LTS line) reads.
PUBLISHED_STORAGE_VERSION = "v1.4.0"
MANIFEST_NAME = "publication.json"
REPORT_NAME = "report"
_SOURCE, _TARGET = "wh", "pub"


def write_publication_files(warehouse_db: Path, folder: Path, run_id: str, scratch: Path) -> dict[str, int]:
    """Write the publication of `warehouse_db`'s `reporting` schema into the empty `folder`.

    Returns rows per table. `scratch` is where DuckDB may spill (restricted, inside the warehouse).
    """
    con = duckdb.connect()
    try:
        scratch.mkdir(parents=True, exist_ok=True)
        con.execute(f"set temp_directory = {path_lit(scratch)}")
        con.execute(f"attach {path_lit(warehouse_db)} as {_SOURCE} (read_only)")
        tables = _reporting_tables(con)
        if not tables:
            raise RuntimeError(f"{warehouse_db} has no {PUBLISHED_SCHEMA} tables to publish")
        con.execute(
            f"attach {path_lit(folder / PUBLISHED_DB_NAME)} as {_TARGET} "
            f"(storage_version {lit(PUBLISHED_STORAGE_VERSION)})"
        )
        counts = _write_database(con, tables)
        docs = _dbt_docs()
        describe_tables(con, _TARGET, PUBLISHED_SCHEMA, tables, docs)
        _write_exports(con, tables, folder / EXPORTS_NAME)
        _write_codebook(con, docs, folder, counts)
        con.execute(f"detach {_TARGET}")
        con.execute(f"detach {_SOURCE}")
    finally:
        con.close()
    from dagster_project.report import write_report

    write_report(folder / PUBLISHED_DB_NAME, folder / REPORT_NAME, codebook=read_codebook(folder))
    write_manifest(folder, run_id, counts)
    return counts


def _dbt_docs() -> dict[str, TableDoc]:
    """The dbt docs of the published tables, from the manifest the run's dbt assets were built from
    ({} when there is none, as for a warehouse built without dbt)."""
    from dagster_project.dbt_manifest import MANIFEST

    return load_published_docs(MANIFEST, PUBLISHED_SCHEMA) if MANIFEST.is_file() else {}


def _reporting_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
        "order by table_name",
        [_SOURCE, PUBLISHED_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _relation(catalog: str, table: str) -> str:
    return f"{catalog}.{PUBLISHED_SCHEMA}.{ident(table)}"


def _write_database(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    con.execute(f"create schema {_TARGET}.{PUBLISHED_SCHEMA}")
    counts = {}
    for t in tables:
        con.execute(f"create table {_relation(_TARGET, t)} as select * from {_relation(_SOURCE, t)}")
        counts[t] = con.execute(f"select count(*) from {_relation(_TARGET, t)}").fetchone()[0]
    _copy_comments(con, tables)
    return counts


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Table and column comments (the dbt docs, when persisted) travel with the published tables."""
    table_comments = con.execute(
        "select table_name, comment from duckdb_tables() where database_name = ? and schema_name = ? "
        "and comment is not null",
        [_SOURCE, PUBLISHED_SCHEMA],
    ).fetchall()
    column_comments = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = ? "
        "and schema_name = ? and comment is not null",
        [_SOURCE, PUBLISHED_SCHEMA],
    ).fetchall()
    for table, comment in table_comments:
        if table in tables:
            con.execute(f"comment on table {_relation(_TARGET, table)} is {lit(comment)}")
    for table, column, comment in column_comments:
        if table in tables:
            con.execute(f"comment on column {_relation(_TARGET, table)}.{ident(column)} is {lit(comment)}")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = ? "
        "and table_schema = ? and table_name = ? order by ordinal_position",
        [_TARGET, PUBLISHED_SCHEMA, table],
    ).fetchall()


def _write_exports(con: duckdb.DuckDBPyConnection, tables: list[str], exports: Path) -> None:
    """`<table>.parquet` (the values as published) and `<table>.csv` (spreadsheet-safe text cells)."""
    exports.mkdir()
    for t in tables:
        relation = _relation(_TARGET, t)
        con.execute(f"copy {relation} to {path_lit(exports / (t + '.parquet'))} (format parquet)")
        copy_csv(con, relation, _columns(con, t), exports / (t + ".csv"))


def copy_csv(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]], path: Path
) -> None:
    """The one way a CSV leaves a publication: spreadsheet-safe text cells (spreadsheet.py)."""
    select = spreadsheet_safe_select(relation, columns)
    con.execute(f"copy ({select}) to {path_lit(path)} {csv_options(columns)}")


def _write_codebook(
    con: duckdb.DuckDBPyConnection, docs: dict[str, TableDoc], folder: Path, counts: dict[str, int]
) -> None:
    """`exports/codebook.csv` and the publication's `README.md` (codebook.py)."""
    relation = codebook_relation(con, _TARGET, PUBLISHED_SCHEMA, docs)
    columns = [(c, "VARCHAR") for c in CODEBOOK_COLUMNS]
    copy_csv(con, relation, columns, folder / EXPORTS_NAME / CODEBOOK_NAME)
    listed = con.execute(f'select "table", "column", type from {relation}').fetchall()
    facts: dict = {}
    if "run_metadata" in counts:
        cur = con.execute(f"select * from {_relation(_TARGET, 'run_metadata')}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        facts = max(rows, key=lambda r: str(r.get("finished_at") or ""), default={})
    (folder / README_NAME).write_text(readme_text(counts, listed, facts), encoding="utf-8")


def write_manifest(
    folder: Path, run_id: str, counts: dict[str, int], published_at: datetime | None = None
) -> None:
    """`publication.json`: which run, when, the rows of each table, and every file of the folder."""
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    manifest = {
        "run_id": run_id,
        "published_at": (published_at or datetime.now(tz=UTC)).isoformat(),
        "storage_version": PUBLISHED_STORAGE_VERSION,
        "tables": counts,
        "files": files,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict | None:
    """A publication folder's `publication.json`, or None when it is missing or unreadable."""
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
