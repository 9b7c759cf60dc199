"""Where the project's own files are (dbt project, contracts, seeds) and where a run writes.

The package is installed editable (`make` does `pip install -e .`), so the project folders are
found relative to this file; `LER_PROJECT_DIR` overrides that for unusual installs.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("LER_PROJECT_DIR") or Path(__file__).resolve().parents[1])
DBT_PROJECT_DIR = PROJECT_DIR / "dbt"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
CONTRACTS_DIR = PROJECT_DIR / "data_contracts"
DEFAULT_ICESA_LAYOUT = CONTRACTS_DIR / "icesa_layout_default.json"
SAMPLE_LANDING_DIR = PROJECT_DIR / "sample_data" / "landing"


def dbt_executable() -> str:
    """The `dbt` a run starts: LER_DBT_EXECUTABLE when set (a site's wrapper of dbt, or the test
    suite's warm dbt: tests/support/ler_server.py), else the venv's own, so runs never depend on
    PATH (RECIPES.md). Read when the definitions are loaded (the dbt resource) and by every parse.
    The dbt step of a `ler run` with a warm dbt starts that instead (warm_dbt.py), which falls back
    to this one."""
    return os.environ.get("LER_DBT_EXECUTABLE") or str(Path(sys.executable).parent / "dbt")


# The names inside one publication folder (docs/reporting_rules.md §9).
PUBLISHED_DB_NAME = "published.duckdb"
EXPORTS_NAME = "exports"


@dataclass(frozen=True)
class WarehousePaths:
    """The layout of one warehouse folder (docs/reporting_rules.md §9).

    Restricted (owner only): `lake/` (the PII-free Parquet that ingestion writes and dbt reads),
    `warehouse.duckdb` (owned by dbt), `quarantine/`, `logs/`, `.tmp/`, `.lock`, `.dagster/` (the
    Dagster instance: the history of runs, run_history.py).
    Public: `publications/<run id>/` (one folder per publication: `published.duckdb`, `exports/`,
    `publication.json`), `publications/current` (a symbolic link to the newest, switched in one
    rename), and the two paths users know, `published.duckdb` and `exports`, symbolic links through
    `publications/current`.
    """

    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def warehouse_db(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published_db(self) -> Path:
        return self.root / PUBLISHED_DB_NAME

    @property
    def exports(self) -> Path:
        return self.root / EXPORTS_NAME

    @property
    def publications(self) -> Path:
        return self.root / "publications"

    @property
    def current_publication(self) -> Path:
        return self.publications / "current"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def run_log(self, run_id: str) -> Path:
        return self.logs / f"{run_id}.log"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def dagster_home(self) -> Path:
        return self.root / ".dagster"

    @property
    def tmp(self) -> Path:
        return self.root / ".tmp"

    def kind_dir(self, kind: str) -> Path:
        return self.lake / kind
