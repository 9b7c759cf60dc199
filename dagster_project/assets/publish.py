"""The publish asset: copies the `reporting` schema to published.duckdb and exports, atomically."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.assets.dbt import DBT_PROJECT, TRANSLATOR
from dagster_project.publish import PUBLISHED_SCHEMA, publish
from dagster_project.resources import LerSettingsResource


def reporting_asset_keys() -> list[AssetKey]:
    """The dbt models of the published schema, read from the manifest."""
    import json

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    return sorted(
        (
            TRANSLATOR.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] == PUBLISHED_SCHEMA
        ),
        key=lambda k: k.path,
    )


@asset(
    key=AssetKey(["published"]),
    deps=reporting_asset_keys(),
    group_name="publish",
    kinds={"duckdb", "parquet", "csv"},
    description="published.duckdb (reporting schema only) and exports/<table>.parquet|csv, "
    "replaced atomically.",
)
def published(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
    settings = ler_settings.load()
    result = publish(settings.warehouse_dir, context.run_id)
    context.log.info(f"published {sorted(result.tables)} to {result.published_db} and {result.exports_dir}/")
    return MaterializeResult(
        metadata={"published_db": str(result.published_db), "exports": str(result.exports_dir)}
        | {f"rows_{t}": n for t, n in result.tables.items()}
    )
