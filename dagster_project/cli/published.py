"""What the analyst commands (`ler query`, `ler export`, `ler report`) share: the current publication
of a warehouse, opened read-only, and its tables (docs/reporting_rules.md §9, docs/analyst_guide.md).

They read `publications/current` (through the `published.duckdb` the README names), never the
restricted `warehouse.duckdb`; the warehouse folder comes from `--warehouse` or `LER_WAREHOUSE_DIR`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from dagster_project.project_paths import PUBLISHED_DB_NAME, WarehousePaths

SCHEMA = "reporting"


class NotPublished(Exception):
    """There is no publication to read (the message says where and what to do)."""


def add_warehouse_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", dest="warehouse_dir", metavar="DIR", help="warehouse folder (env LER_WAREHOUSE_DIR)"
    )


def warehouse_dir(args: argparse.Namespace) -> Path:
    from dagster_project.settings import setting_value

    return Path(args.warehouse_dir or setting_value("warehouse_dir")).expanduser().resolve()


def current_publication(warehouse: Path) -> Path:
    """The folder of the current publication, or NotPublished saying why there is none."""
    from dagster_project.publication.store import PublicationStore

    folder = PublicationStore(WarehousePaths(warehouse)).current()
    if folder is None or not (folder / PUBLISHED_DB_NAME).is_file():
        where = "no warehouse folder" if not warehouse.is_dir() else "nothing is published yet"
        raise NotPublished(
            f"{where} at {warehouse}: run `ler run` first, or point to a warehouse with --warehouse DIR "
            "or LER_WAREHOUSE_DIR"
        )
    return folder


def connect(publication: Path, *, files: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a publication's database, `reporting` as the default schema.

    Without `files`, DuckDB may not touch any other file (`enable_external_access = false`), may not
    load extensions, and its configuration is locked: what `ler query` runs cannot reach the
    restricted warehouse or the lake, whatever it says."""
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if not files:
        config["enable_external_access"] = False
    con = duckdb.connect(str(publication / PUBLISHED_DB_NAME), read_only=True, config=config)
    con.execute(f"use {SCHEMA}")
    if not files:
        con.execute("set lock_configuration = true")
    return con


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = ? order by table_name", [SCHEMA]
    ).fetchall()
    return [r[0] for r in rows]
