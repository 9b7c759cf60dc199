"""What shapes the wage rows besides the landed files: the fingerprint the incremental wage models
keep with every quarter they build (dbt/macros/wage_slices.sql).

A nightly run rebuilds a wage quarter when the digest of its inputs changes. The landed files of the
quarter (name, SHA-256, row count, in timeline order) are in that digest from the lake itself
(int_wages__quarter_inputs); this fingerprint adds everything else that can change a lake wage row
or the wage SQL without changing a file: the ingestion code, contracts and readers (the file
cache's code version), the person-key secret (as an HMAC fingerprint, never the secret), the
ingestion settings that decide wage rows (their values; the ICESA layout by its content) and the
dbt sources of the wage models. Change any of them and every quarter is rebuilt on the next run, as
a full refresh would. The folders are not in it (a copied or moved warehouse stays incremental),
nor the outcome thresholds (dbt vars, read downstream of the wage tables only).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster_project.identity import key_fingerprint
from dagster_project.landing.file_cache import code_version
from dagster_project.landing.registry import Registry, load_registry
from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.settings import Settings

# The settings ingestion reads that decide which wage rows land and what they hold (settings.py).
WAGE_ROW_SETTINGS = ("max_reject_rate", "max_field_length", "icesa_layout")
# The dbt sources of the wage models: the models, the macros they (and the lake sources) use, the
# lake's source definitions and the project file.
DBT_WAGE_SOURCES = (
    "dbt_project.yml",
    "macros/**/*.sql",
    "models/staging/lake/_lake__sources.yml",
    "models/staging/lake/stg_lake__wages.sql",
    "models/staging/lake/stg_lake_audit__load_manifest.sql",
    "models/intermediate/int_wages__*.sql",
)


def wage_inputs_fingerprint(settings: Settings, registry: Registry | None = None) -> str:
    """Hex SHA-256 of the wage models' inputs other than the landed files (module docstring)."""
    digest = hashlib.sha256(code_version(registry or load_registry()).encode())
    digest.update(bytes.fromhex(key_fingerprint(settings.hash_key, "ler-wage-inputs")))
    values = {name: _setting_value(getattr(settings, name)) for name in WAGE_ROW_SETTINGS}
    digest.update(json.dumps(values, sort_keys=True).encode())
    for path in dbt_wage_sources():
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def dbt_wage_sources(project: Path = DBT_PROJECT_DIR) -> list[Path]:
    return sorted({p for pattern in DBT_WAGE_SOURCES for p in project.glob(pattern) if p.is_file()})


def _setting_value(value: object) -> object:
    """A file setting by its content (the same path may hold another layout), anything else as is."""
    if isinstance(value, Path):
        return hashlib.sha256(value.read_bytes()).hexdigest() if value.is_file() else str(value)
    return value
