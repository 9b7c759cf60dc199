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


# An in-memory database checkpoints too, each time about this much has been written since the last
# one, and such a checkpoint stalls the appends of a batch (`batch.py`) for about half a second at
# every 16 MiB, DuckDB's default: a third of a mid-size state's wage reading. Nothing in memory is
# made durable by it, so an ingestion's database checkpoints only past this much.
IN_MEMORY_CHECKPOINT_THRESHOLD = "1TB"


def connect(settings: Settings, spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the machine settings (`apply`) and no checkpoint mid-ingestion."""
    con = duckdb.connect()
    apply(con, settings, spill_dir)
    con.execute(f"set checkpoint_threshold = {lit(IN_MEMORY_CHECKPOINT_THRESHOLD)}")
    return con
