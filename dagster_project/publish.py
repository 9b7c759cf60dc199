"""Publish the `reporting` schema: `published.duckdb` and `exports/<table>.parquet|csv` (LER_SPEC.md §9).

Atomic by construction: the new database is written under a temporary name and renamed over the old
one; the exports are written to a fresh `exports-<run>` folder and the `exports` symlink is switched
to it with one rename. A run killed at any moment leaves the previous database and exports whole
and readable, and the next run cleans up what the killed one left behind.

Only `reporting` tables (aggregates, suppressed) are copied: nothing from the restricted
`warehouse.duckdb` or the landing zone reaches the published outputs.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.project_paths import WarehousePaths
from dagster_project.sqlutil import ident, path_lit

PUBLISHED_SCHEMA = "reporting"
PUBLIC_FILE_MODE = 0o644
PUBLIC_DIR_MODE = 0o755


@dataclass(frozen=True)
class PublishResult:
    published_db: Path
    exports_dir: Path
    tables: dict[str, int]  # table -> rows


def _reporting_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
        "order by table_name",
        [catalog, PUBLISHED_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _clean_leftovers(paths: WarehousePaths, keep: Path | None) -> None:
    """Remove temporaries of killed runs and export folders no longer pointed to."""
    for item in paths.root.glob(".published-*.duckdb*"):
        item.unlink(missing_ok=True)
    for item in paths.root.glob("exports-*"):
        if item.is_dir() and (keep is None or item.resolve() != keep.resolve()):
            shutil.rmtree(item, ignore_errors=True)
    for item in paths.root.glob(".exports-link-*"):
        item.unlink(missing_ok=True)


def _current_exports(paths: WarehousePaths) -> Path | None:
    return paths.exports.resolve() if paths.exports.is_symlink() else None


def publish(warehouse_dir: Path, run_id: str) -> PublishResult:
    paths = WarehousePaths(warehouse_dir)
    safe_run = re.sub(r"[^A-Za-z0-9_-]", "_", run_id)
    _clean_leftovers(paths, keep=_current_exports(paths))

    tmp_db = paths.root / f".published-{safe_run}.duckdb"
    con = duckdb.connect(str(tmp_db))
    try:
        con.execute(f"attach {path_lit(paths.warehouse_db)} as wh (read_only)")
        tables = _reporting_tables(con, "wh")
        if not tables:
            raise RuntimeError(f"{paths.warehouse_db} has no {PUBLISHED_SCHEMA} tables to publish")
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        counts = {}
        for t in tables:
            target = f"{PUBLISHED_SCHEMA}.{ident(t)}"
            con.execute(f"create table {target} as select * from wh.{target}")
            counts[t] = con.execute(f"select count(*) from {PUBLISHED_SCHEMA}.{ident(t)}").fetchall()[0][0]
        con.execute("detach wh")

        export_dir = paths.root / f"exports-{safe_run}"
        shutil.rmtree(export_dir, ignore_errors=True)
        export_dir.mkdir(mode=PUBLIC_DIR_MODE)
        for t in tables:
            relation = f"{PUBLISHED_SCHEMA}.{ident(t)}"
            con.execute(f"copy {relation} to {path_lit(export_dir / (t + '.parquet'))} (format parquet)")
            con.execute(f"copy {relation} to {path_lit(export_dir / (t + '.csv'))} (format csv, header)")
        con.execute("checkpoint")
    finally:
        con.close()

    for f in export_dir.iterdir():
        f.chmod(PUBLIC_FILE_MODE)
    tmp_db.chmod(PUBLIC_FILE_MODE)
    os.replace(tmp_db, paths.published_db)

    previous = _current_exports(paths)
    link_tmp = paths.root / f".exports-link-{safe_run}"
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(export_dir.name, target_is_directory=True)
    if paths.exports.exists() and not paths.exports.is_symlink():
        # a real folder from an older layout: move it aside once (not atomic, first run only)
        shutil.rmtree(paths.exports)
    os.replace(link_tmp, paths.exports)
    if previous is not None and previous != export_dir.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return PublishResult(paths.published_db, paths.exports, counts)
