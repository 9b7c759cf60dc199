"""Where the project's own files are (dbt project, contracts, seeds) and where a run writes.

The package is installed editable (`make` does `pip install -e .`), so the project folders are
found relative to this file; `LER_PROJECT_DIR` overrides that for unusual installs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("LER_PROJECT_DIR") or Path(__file__).resolve().parents[1])
DBT_PROJECT_DIR = PROJECT_DIR / "dbt"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
CONTRACTS_DIR = PROJECT_DIR / "data_contracts"
DEFAULT_ICESA_LAYOUT = CONTRACTS_DIR / "icesa_layout_default.json"
SAMPLE_LANDING_DIR = PROJECT_DIR / "sample_data" / "landing"


@dataclass(frozen=True)
class WarehousePaths:
    """The layout of one warehouse folder (LER_SPEC.md §9).

    `lake/` holds the PII-free Parquet that ingestion writes and dbt reads; `warehouse.duckdb` is
    owned by dbt; `published.duckdb` and `exports/` are replaced atomically by the publish step.
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
        return self.root / "published.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def tmp(self) -> Path:
        return self.root / ".tmp"

    def kind_dir(self, kind: str) -> Path:
        return self.lake / kind
