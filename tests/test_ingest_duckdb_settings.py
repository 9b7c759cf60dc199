"""DuckDB's threads, memory limit and spill folder are settings (LER_DUCKDB_*), applied by ingestion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dagster_project.landing.ingest import KindIngestor
from dagster_project.settings import Settings, SettingsError
from tests.support.pipeline import TEST_KEY


def _settings(tmp_path: Path, **env: str) -> Settings:
    (tmp_path / "landing").mkdir(exist_ok=True)
    return Settings.load(
        {"landing_dir": tmp_path / "landing", "warehouse_dir": tmp_path / "wh", "hash_key": TEST_KEY},
        environ=env,
    )


def _current(ingestor: KindIngestor, name: str) -> object:
    return ingestor.con.execute(f"select current_setting('{name}')").fetchall()[0][0]


def test_defaults_bound_memory_and_spill_inside_the_warehouse(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert (s.duckdb_threads, s.duckdb_memory_limit, s.duckdb_temp_dir) == (os.cpu_count(), "3GB", None)
    ingestor = KindIngestor("wages", s)
    try:
        assert _current(ingestor, "memory_limit") == "2.7 GiB"  # DuckDB shows 3 GB in GiB
        assert Path(_current(ingestor, "temp_directory")) == tmp_path / "wh" / ".tmp" / "duckdb-wages"
        # no checkpoint of the in-memory database while a batch is appended (duckdb_session.py)
        assert _current(ingestor, "checkpoint_threshold") == "931.3 GiB"
    finally:
        ingestor.close()


def test_the_settings_reach_the_connection(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    s = _settings(
        tmp_path, LER_DUCKDB_THREADS="1", LER_DUCKDB_MEMORY_LIMIT="512MB", LER_DUCKDB_TEMP_DIR=str(spill)
    )
    ingestor = KindIngestor("wages", s)
    try:
        assert _current(ingestor, "threads") == 1
        assert _current(ingestor, "memory_limit") == "488.2 MiB"
        assert Path(_current(ingestor, "temp_directory")) == spill / "duckdb-wages"
        assert (spill / "duckdb-wages").is_dir()
    finally:
        ingestor.close()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LER_DUCKDB_MEMORY_LIMIT": "lots"},
            "LER_DUCKDB_MEMORY_LIMIT='lots': expected an amount such as 3GB",
        ),
        ({"LER_DUCKDB_THREADS": "-1"}, "LER_DUCKDB_THREADS=-1: 0 (one per core) or more"),
        ({"LER_DUCKDB_THREADS": "two"}, "LER_DUCKDB_THREADS='two' is not a valid int"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _settings(tmp_path, **env)
