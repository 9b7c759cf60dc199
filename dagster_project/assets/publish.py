"""The publish asset: the `reporting` schema as this run's publication, switched in atomically
(dagster_project/publication, docs/reporting_rules.md §9)."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.assets.dbt import DBT_PROJECT, TRANSLATOR
from dagster_project.publication import PUBLISHED_SCHEMA, publish
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
    description="This run's publication: publications/<run id>/ (published.duckdb, the reporting schema "
    "only, with the dbt docs as comments; exports/<table>.parquet|csv and exports/codebook.csv; README.md; "
    "report/report.html|pdf, the legislative report), switched in atomically; the last "
    "LER_KEEP_PUBLICATIONS kept.",
)
def published(context: AssetExecutionContext, ler_settings: LerSettingsResource) -> MaterializeResult:
    settings = ler_settings.load()
    result = publish(settings.warehouse_dir, context.run_id, keep=settings.keep_publications)
    context.log.info(f"published {sorted(result.tables)} as {result.publication}")
    return MaterializeResult(
        metadata={
            "published_db": str(result.published_db),
            "exports": str(result.exports_dir),
            "publication": str(result.publication),
            "publications_removed": len(result.removed),
        }
        | {f"rows_{t}": n for t, n in result.tables.items()}
    )
