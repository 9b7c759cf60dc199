"""The DuckDB connection of an ingestion (or any Python step that runs DuckDB): the machine settings.

`LER_DUCKDB_THREADS`, `LER_DUCKDB_MEMORY_LIMIT` and `LER_DUCKDB_TEMP_DIR` (dagster_project/settings.py)
bound what one process may take on a machine shared with other work; past the memory limit DuckDB
spills to the temp folder (inside the restricted warehouse unless the setting says otherwise).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.settings import Settings
from dagster_project.sqlutil import lit, path_lit


def apply(con: duckdb.DuckDBPyConnection, settings: Settings, spill_dir: Path) -> None:
    """Set threads, memory limit and the spill folder (`spill_dir` unless LER_DUCKDB_TEMP_DIR)."""
    spill = settings.duckdb_temp_dir / spill_dir.name if settings.duckdb_temp_dir else spill_dir
    spill.mkdir(parents=True, exist_ok=True, mode=0o700)
    con.execute(f"set temp_directory = {path_lit(spill)}")
    con.execute(f"set threads = {int(settings.duckdb_threads)}")
    con.execute(f"set memory_limit = {lit(settings.duckdb_memory_limit)}")


def connect(settings: Settings, spill_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    apply(con, settings, spill_dir)
    return con
