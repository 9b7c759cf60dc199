"""The dbt project as Dagster assets: every model and seed an asset, every dbt test an asset check.

Asset keys are `<schema>/<table>` (`marts/program_outcomes`, `reporting/program_outcomes`), the names
an analyst queries. Lake sources map to the ingestion assets through `meta.dagster.asset_key`, so
the graph runs from landed file to published table.
"""

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from dagster_project.dbt_manifest import ensure_manifest
from dagster_project.project_paths import DBT_PROJECT_DIR
from dagster_project.resources import LerSettingsResource
from dagster_project.settings import Settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Not DBT_PROJECT.prepare_if_dev(): under `dagster dev` it runs a `dbt` found on PATH, which a venv
# started as .venv/bin/dagster does not have. ensure_manifest() uses the venv's own dbt, everywhere.
ensure_manifest()

LAYER_GROUPS = ("staging", "intermediate", "marts", "reporting", "audit", "reference")


class LerDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            table = dbt_resource_props.get("alias") or dbt_resource_props["name"]
            return AssetKey([dbt_resource_props["schema"], table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("schema")
        return schema if schema in LAYER_GROUPS else "warehouse"


TRANSLATOR = LerDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


def dbt_vars(settings: Settings, run_id: str, started_at: datetime) -> dict[str, object]:
    """The dbt vars of one run: thresholds from the settings, plus run bookkeeping."""
    return settings.dbt_vars() | {
        "ler:run_id": run_id,
        "ler:run_started_at": started_at.isoformat(),
        "ler:settings_json": json.dumps(settings.in_force(), sort_keys=True),
    }


def _run_started_at(context: AssetExecutionContext) -> datetime:
    record = context.instance.get_run_record_by_id(context.run_id)
    if record is not None and record.start_time:
        return datetime.fromtimestamp(record.start_time, tz=UTC)
    return datetime.now(tz=UTC)


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, ler_settings: LerSettingsResource):
    settings = ler_settings.load()
    # dbt's profile reads the warehouse folder from the environment of its subprocess
    os.environ["LER_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    (settings.warehouse_dir / ".tmp" / "duckdb-dbt").mkdir(parents=True, exist_ok=True)
    variables = dbt_vars(settings, context.run_id, _run_started_at(context))
    # dbt's artifacts and logs stay with the warehouse they describe (restricted), one folder per warehouse
    target = settings.warehouse_dir / ".tmp" / "dbt-target"
    yield from dbt.cli(
        ["build", "--vars", json.dumps(variables)], context=context, target_path=target
    ).stream()
    db = settings.warehouse_dir / "warehouse.duckdb"
    if db.exists():
        db.chmod(0o600)
